-- The small world the snapshot fuzz target restores into (tests/fuzz/fuzz_snapshot.c): two cohorts, an attack
-- campaign that spreads, an exfiltration, a degraded service and an OTA campaign under way when the snapshot is taken.
scenario { id = "fuzz-world", title = "Fuzz world", duration = "4h", seed = 3 }
teams { { id = "oem", name = "OEM" }, { id = "soc", name = "SOC" } }
fleet {
	{ model = "Sedan-A", count = 300, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0" } },
	{ model = "SUV-B", count = 200, region = "JP-Kansai", ecus = { tcu = "2.3.4", ivi = "5.1.0" } },
}
sbom { tcu = { ["2.3.1"] = { "openssl@1.1.1k" }, ["2.3.4"] = { "openssl@1.1.1k", "busybox@1.31.1" } } }
at("00:05:00", function()
	attack.compromise { select = { ecu = "tcu", below = "2.4.0" }, fraction = 0.05, c2 = "203.0.113.7", entry = "tcu" }
end)
every("10m", function() attack.spread { rate = 0.3, c2 = "203.0.113.7" } end, { start = "00:15:00" })
at("00:40:00", function() service.degrade { name = "telematics", level = 0.5 } end)
