scenario { id = "bad", title = "Bad", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 100, ecus = { tcu = "2.3.1" } } }
inject { id = "I1", at = "00:05:00", to = "vsoc", title = "x", expects = { { action = "block_indicator", contains = { "203.0.113.7" }, within = "1h" } } }
