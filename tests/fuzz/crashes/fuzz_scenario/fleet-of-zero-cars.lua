scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 0000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
local t = setmetatable({}, { __gc = function() while true do end end })
