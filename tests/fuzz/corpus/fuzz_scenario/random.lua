scenario { id = "random-fixture", title = "Random draws", duration = "10m" }
teams { { id = "vsoc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 100, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
at("00:01:00", function()
	local keys = {}
	for k in pairs({ zeta = 1, alpha = 2, gamma = 3, beta = 4 }) do keys[#keys + 1] = k end
	log(string.format("r=%d,%d,%.6f keys=%s", math.random(1000000), math.random(5, 9), math.random(),
	                  table.concat(keys, ",")))
end)
