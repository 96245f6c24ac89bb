scenario { id = "bad", title = "Bad", duration = "1h" }
teams { { id = "vsoc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 100, ecus = { tcu = "2.3.1" } } }
penalty { metric = "customer_hour", per = 100, points = 1 }
