-- ev-charging: a compromised EV-charging backend (charge-point operator platform) reaches into the cars.
--
-- Story: the charge-point operator (CPO) that runs the OEM's branded charging network is breached. Its backend
-- talks to the OEM's connected-services API (plug-and-charge contract certificates, charging-session data). The
-- attackers use that trust to push malicious charging schedules through the OEM backend to the EVs; a schedule
-- crafted for the ISO 15118 stack of TCU 3.0.2 (it parses schedules from the backend without checking who signed
-- them) takes over the TCU. They also siphon charging-session data (locations, contract IDs) through the CPO's API
-- access. Meanwhile the grid operator worries about synchronized load swings. The path in is the CPO integration of
-- the app API; the fix is TCU 3.0.3, whose ISO 15118 stack only accepts schedules signed by the OEM backend.
--
--   vsoc       triage the anomaly (odd schedules, C2 beacons), block the C2, watch the API
--   oem_psirt  isolate the app API integration with the CPO, revoke the plug-and-charge contract certificates
--              of the affected EVs, assess exposure, patch the TCU
--   supplier   (charge-point operator, a tier-1 partner) confirm the breach, share IOCs, report
--   isac       share with members and the energy-sector ISAC (TLP:AMBER), then a GREEN advisory
--   legal_pr   PPC 速報 (charging locations are personal data: APPI), MLIT notice (UN R155 7.4.1), customer notice
scenario {
	id = "ev-charging",
	title = "Compromised EV-charging backend",
	description = "A breached charge-point operator abuses its trusted link to the OEM backend: malicious charging " ..
		"schedules, TCU compromise of EVs and data theft; cut the link, revoke, patch and disclose.",
	duration = "5h",
	seed = 43,
	techniques = { "T1199", "ATM-T0063", "T1041" },  -- ATT&CK trusted relationship; ATM internet communication (C2); ATT&CK exfiltration over C2
}

teams {
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "supplier", name = "Charge-point operator" },
	{ id = "isac", name = "ISAC liaison" },
	{ id = "legal_pr", name = "Legal & PR" },
}

-- 60,000 cars: two EV models (charging customers of the CPO) and hybrids that never use it.
fleet {
	{ model = "EV-E", count = 30000, region = "JP-Kanto", ecus = { tcu = "3.0.2", gw = "2.0.1", bcm = "3.3.0" },
	  features = { "remote_climate", "location", "remote_unlock" } },
	{ model = "EV-F", count = 10000, region = "JP-Kansai", ecus = { tcu = "3.0.2", gw = "2.0.1", bcm = "3.3.0" },
	  features = { "remote_climate", "location", "remote_unlock" } },
	{ model = "HV-G", count = 20000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", bcm = "3.3.0" } },
}

sbom { tcu = { ["3.0.2"] = { "iso15118-stack@1.4.0", "openssl@3.0.8" }, ["3.0.3"] = { "iso15118-stack@1.4.2", "openssl@3.0.8" } } }

local C2 = "cpo-sync.example.com"

penalty { action = "isolate_service", args = { name = "telematics" }, points = 10, once = true,
          reason = "took the whole telematics backend down instead of the CPO integration" }
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 37,347,760 and 1,778,351. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "compromised", best = 0, worst = 8000, points = 25 },
	{ metric = "records_exfiltrated", best = 0, worst = 2000000, points = 15 },
	{ metric = "harm", best = 1780000, worst = 37300000, points = 465 },
}

-- What the pages show of the fleet for this drill: tiles and chart series (each series on its own scale).
dashboard {
	tiles = { "total", "compromised", "patched", "records_exfiltrated", "customers_affected" },
	series = { "compromised", "patched", "records_exfiltrated" },
}

-- 00:10 the CPO's API integration is in the attackers' hands; from 00:30, every 15 minutes while the integration is
-- compromised and reachable, a wave of malicious schedules takes over 1 % of the EVs still on TCU 3.0.2 (the exploit
-- lives in the TCU, so TCU 3.0.3 cleans a car and closes it; cutting the integration stops new waves) and the CPO's
-- API access siphons 20,000 charging sessions. Assumptions: 1 % a wave, 20,000 sessions a quarter hour.
at("00:10:00", function()
	service.degrade { name = "app_api", level = "compromised" }
end)
local function integration_open()
	local s = service.status { name = "app_api" }
	return s.health == "compromised" and s.usable
end
every("15m", function()
	if not integration_open() then return end
	attack.compromise { select = { model = { "EV-E", "EV-F" }, ecu = "tcu", below = "3.0.3" }, fraction = 0.01,
	                    entry = "tcu", persistence = true, c2 = C2, technique = "T1199" }
	attack.exfiltrate { c2 = C2, records_per_car = 20 }
	attack.exfiltrate { service = "app_api", records = 20000 }
end, { start = "00:30:00" })

inject {
	id = "E1", at = "00:50:00", to = { "vsoc" }, severity = "high",
	title = "EVs receiving charging schedules nobody set",
	body = "Owners of EV-E report the car starting to charge at 03:00 and stopping at 03:05 every night; the IDS on " ..
		"some TCUs logs outbound sessions to cpo-sync.example.com, a domain of the charge-point operator's platform.",
	expects = {
		{ action = "triage", args = { inject = "E1" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = C2 }, within = "1h", points = 15 },
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 5 },
	},
}

inject {
	id = "E2", at = "01:10:00", to = { "oem_psirt" }, severity = "critical",
	title = "The CPO integration is pushing commands into EVs",
	body = "API logs show the CPO's client sending schedule and diagnostic commands to 400+ EVs an hour, beyond its " ..
		"contract scope. Cut the integration; decide on the plug-and-charge certificates of exposed EVs.",
	expects = {
		{ action = "isolate_service", args = { name = "app_api" }, within = "30m", points = 20,
		  label = "E2-cut-cpo-link" },
		{ action = "revoke_certificate", args = { scope = { model = "EV-E" } }, within = "2h", points = 10 },
		{ action = "assess", args = { component = "iso15118-stack@1.4.0" }, within = "2h", points = 10 },
	},
}

inject {
	id = "E3", at = "01:20:00", to = { "supplier" }, severity = "critical",
	title = "OEM: your platform is attacking our cars",
	body = "The OEM has cut your API access. Confirm the breach, share indicators and a containment plan.",
	expects = {
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 15 },
		{ action = "report", within = "3h", points = 10 },
	},
}

inject {
	id = "E4", at = "02:30:00", to = { "oem_psirt" }, severity = "high",
	title = "TCU 3.0.3 hardens the ISO 15118 stack",
	body = "The TCU supplier's 3.0.3 rejects unauthenticated schedule updates from the backend. Push it to the EVs.",
	expects = {
		{ action = "ota_campaign", args = { ecu = "tcu", version = "3.0.3" }, within = "1h", points = 20 },
	},
}

inject {
	id = "E5", at = "01:30:00", to = { "isac", "legal_pr" }, severity = "high",
	title = "Energy sector and regulators ask questions",
	body = "The energy ISAC asks whether synchronized charging could swing grid load; legal confirms the incident " ..
		"is reportable: charging sessions with locations and contract IDs are personal data taken by unauthorized " ..
		"access (APPI: PPC 速報 within about 3-5 days, 確報 within 60 days), and type-approved vehicles were " ..
		"compromised (UN R155 7.4.1 monitoring report to MLIT: today).",
	expects = {
		{ team = "isac", action = "share", args = { to = "all", tlp = "amber" }, within = "1h", points = 10 },
		{ team = "legal_pr", action = "notify", args = { party = "ppc", stage = "initial" }, within = "3d",
		  points = 15, label = "APPI-PPC-sokuho-3-5d" },
		{ team = "legal_pr", action = "notify", args = { party = "mlit", stage = "initial" }, within = "8h",
		  points = 10, label = "R155-7.4.1-MLIT-notice" },
		{ team = "legal_pr", action = "notify", args = { party = "customers" }, within = "4h", points = 10 },
	},
}

when(function() return world.metrics().records_exfiltrated > 300000 end, function()
	inject {
		id = "E6", to = { "legal_pr", "isac" }, severity = "critical",
		title = "Charging-session data offered for sale",
		body = "A forum post offers \"300k EV charging sessions with locations\" from a Japanese charging network.",
		expects = { { team = "legal_pr", action = "notify", args = { party = "customers" }, within = "2h", points = 5 } },
	}
end)

on("action", function(a)
	if a.kind == "block_indicator" and a.args.value == C2 then attack.stop { c2 = C2 } end
end)
