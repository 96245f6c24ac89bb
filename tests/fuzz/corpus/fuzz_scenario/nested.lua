scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- A handler that re-triggers itself, and a callback that loops after triggering a handler: both must end.
on("inject", function(i) if i.id ~= "LOOP" then inject { to = "vsoc", title = "again " .. i.id } end end)
at("00:01:00", function() inject { to = "vsoc", title = "first" } end)
at("00:02:00", function() inject { id = "LOOP", to = "vsoc", title = "then loop" } while true do end end)
