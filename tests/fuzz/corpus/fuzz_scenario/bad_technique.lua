scenario { id = "fixture", title = "Fixture", duration = "1h", techniques = { "ATM-T0012" } }
teams { { id = "vsoc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
at("00:05:00", function()
	attack.compromise { select = { model = "Sedan-A" }, fraction = 0.01, entry = "tcu", technique = "ATM-T0099" }
end)
