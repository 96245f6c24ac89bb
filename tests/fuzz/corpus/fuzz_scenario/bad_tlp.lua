scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem_psirt", name = "OEM PSIRT" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
inject { id = "I1", at = "00:10:00", to = { "vsoc" }, title = "Share it",
         expects = { { action = "share", args = { to = "oem_psirt", tlp = "AMBER" }, within = "1h", points = 5 } } }
