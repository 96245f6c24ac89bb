scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- pcall swallowing the budget error at every hook: once exhausted, every instruction raises again
while true do pcall(function() while true do end end) end
