scenario { id = "bad", title = "Bad", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 100, ecus = { tcu = "2.3.1" } } }
inject { id = "I1", at = "00:05:00", to = "vsoc", title = "x", attachments = { { name = "big.log", text = string.rep("x", 300000) } } }
