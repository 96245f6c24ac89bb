scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- pairs sorts the keys in C each time: charged by the number of keys
local t = {} for i = 1, 100000 do t[i] = i end
while true do local f = pairs(t) end
