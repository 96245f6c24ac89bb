-- Fixture for the impact figures and the fairness rules (tests/sh/test_impact.sh): a TCU campaign with a C2, a
-- stolen API key (a credential) abusing remote unlock, weights of the harm index, expectations with a required effect
-- and required facts, an outcome and a penalty on the harm index, and inject attachments.
scenario { id = "breach", title = "Impact fixture", duration = "2h", seed = 11 }
teams {
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "legal_pr", name = "Legal & PR" },
}
fleet {
	{ model = "Sedan-A", count = 3000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } },
	{ model = "SUV-B", count = 1000, region = "JP-Kansai", ecus = { tcu = "2.5.0" } },
}
harm { compromised_car_hours = 20, unsafe_events = 500, customer_hours = 1 }

local C2, KEY = "198.51.100.23", "partner-07"
credentials {
	{ id = KEY, name = "A partner's API key", kind = "api_key", held_by = "vsoc", reaches = { "app_api" } },
}

outcome { metric = "harm", best = 0, worst = 200000, points = 100 }
penalty { metric = "customer_hours", per = 1000, points = 1 }

at("00:05:00", function()
	attack.compromise { select = { ecu = "tcu", below = "2.4.0" }, fraction = 0.02, c2 = C2, entry = "tcu" }
end)
every("10m", function()
	attack.spread { rate = 0.3, c2 = C2, select = { ecu = "tcu", below = "2.4.0" } }
	attack.abuse_feature { feature = "remote_unlock", fraction = 0.001, credential = KEY, select = { region = "JP-Kanto" } }
end, { start = "00:10:00" })

inject {
	id = "B1", at = "00:10:00", to = { "vsoc" }, severity = "high", title = "Beacons and unlocks",
	body = "TCUs beacon to " .. C2 .. "; remote unlocks through a partner's API key.",
	attachments = {
		{ name = "ids.log", text = "2025-03-01T00:09:58Z tcu beacon dst=" .. C2 .. ":8443\n" },
		{ name = "advisory.txt", file = "breach.advisory.txt" },
		{ name = "gateway.json", type = "application/json", text = "{\"client\":\"" .. KEY .. "\"}" },
	},
	expects = {
		{ action = "block_indicator", args = { value = C2 }, within = "30m", points = 20, label = "B1-block-c2" },
		{ action = "rotate_credential", args = { credential = KEY }, within = "30m", points = 10, label = "B1-block-key" },
	},
}
inject {
	id = "B2", at = "00:20:00", to = { "oem_psirt" }, severity = "high", title = "Fix ready: TCU 2.4.1",
	body = "Push it to the affected cars.",
	expects = {
		{ action = "ota_campaign", args = { ecu = "tcu", version = "2.4.1" }, effect = { coverage = 0.8 }, within = "30m",
		  points = 20, label = "B2-fleet-update" },
	},
}
inject {
	id = "B3", at = "00:30:00", to = { "legal_pr" }, severity = "medium", title = "Regulator notice",
	body = "Notify the regulator with the indicator and the number of affected cars.",
	expects = {
		{ action = "notify", args = { party = "regulator" }, contains = { C2, { "3,000", "3000 cars" } }, within = "1h",
		  points = 15, label = "B3-facts" },
	},
}
