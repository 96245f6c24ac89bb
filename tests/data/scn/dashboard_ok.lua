scenario { id = "fixture", title = "Fixture", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" } }
parties { { id = "kba", name = "Kraftfahrt-Bundesamt" }, "nhtsa" }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
dashboard {
	tiles = { "total", "compromised", { metric = "records_exfiltrated", label = { en = "Records leaked", ja = "流出件数" } } },
	series = { "compromised", "patched", { metric = "records_exfiltrated", label = "Records" } },
}
