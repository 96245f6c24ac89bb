scenario { id = "fixture", title = "Fixture", duration = "1h", techniques = { "ATT&CK T1195" } }
teams { { id = "vsoc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
