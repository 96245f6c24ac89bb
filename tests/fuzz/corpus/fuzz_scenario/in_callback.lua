scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- Each callback misbehaves in its own way; the drill must record each as scenario.error and go on.
at("00:01:00", function() while true do end end)
at("00:02:00", function() local s = string.rep("x", 1 << 40) end)
at("00:03:00", function() io.open("/etc/passwd") end)
at("00:04:00", function() error("custom failure") end)
at("00:05:00", function() local t = {} for i = 1, 1e9 do t[i] = ("y"):rep(4096) .. i end end)
inject { id = "I1", at = "00:10:00", to = { "vsoc" }, title = "still running",
         expects = { { action = "triage", args = { inject = "I1" }, within = "10m", points = 5 } } }
