scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- a coroutine that burns the budget while the caller catches the error and starts another one
while true do
  local co = coroutine.create(function() while true do end end)
  coroutine.resume(co)
end
