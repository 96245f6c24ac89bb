scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
dofile("/etc/passwd")
