scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- a plain find of a long needle that nearly matches everywhere
local s, p = ("a"):rep(8e6), ("a"):rep(4e6) .. "b"
string.find(s, p, 1, true)
