scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- a huge table.concat: refused by the memory cap
local t = {}
for i = 1, 10000 do t[i] = ("x"):rep(4000) end
local s = table.concat(t)
