-- tcu-remote: remote exploitation of a telematics control unit (TCU) over the cellular network.
--
-- Story: a researcher's proof of concept for a heap overflow in the SMS PDU parser of the TCU's modem manager
-- (modemmgr 3.2.2, in TCU firmware below 2.4.0) is weaponised by a criminal group. A crafted SMS compromises the TCU
-- over the cellular network; the implant beacons to a command-and-control (C2) address, which hands it phone numbers
-- of more cars to send the exploit SMS to: the worm travels SMS to SMS, orchestrated by the C2.
-- The vehicle SOC sees the IDS surge first; the OEM PSIRT must coordinate with the tier-1 TCU supplier for a fix,
-- push it over the air, have the mobile network operator filter the exploit SMS, share indicators through the ISAC
-- liaison and report: the owners' location data was within the attackers' reach (APPI: the PPC), and the cars are
-- type-approved under UN R155 (MLIT, the approval authority, through the CSMS monitoring report).
--
-- Teams and what "good" looks like (NAME.good.jsonl):
--   vsoc       triage the IDS surge, block the C2 within the hour, ask the mobile operator to filter the SMS
--   oem_psirt  triage the escalation, bring in the supplier, assess the impact from the SBOM, push the fix
--   supplier   root-cause the crash dumps, deliver firmware 2.4.1, share the analysis with the OEM
--   isac       share indicators with the members (TLP:GREEN), answer the member request
--   legal_pr   PPC 速報 (preliminary report) and MLIT notice the same day, PPC 確報 (final report), customer notice
scenario {
	id = "tcu-remote",
	title = "Remote TCU exploit over cellular",
	description = "A weaponised TCU bug (firmware < 2.4.0) spreads over the cellular network; contain it, patch " ..
		"over the air with the supplier, share indicators and report to the PPC and MLIT.",
	duration = "4h",
	seed = 7,
	techniques = { "ATM-T0012", "ATM-T0062", "ATM-T0052" },  -- Auto-ISAC ATM: exploit via radio interface, cellular communication (C2), exploit ECU for lateral movement
}

teams {
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "supplier", name = "Tier-1 TCU supplier" },
	{ id = "isac", name = "ISAC liaison" },
	{ id = "legal_pr", name = "Legal & PR" },
}

-- 50,000 connected cars in three cohorts; only TCU firmware below 2.4.0 is exploitable.
fleet {
	{ model = "Sedan-A", count = 30000, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0", ivi = "5.0.2" } },
	{ model = "SUV-B", count = 15000, region = "JP-Kansai", ecus = { tcu = "2.3.4", gw = "1.4.0", ivi = "5.1.0" } },
	{ model = "Kei-C", count = 5000, region = "JP-Chubu", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.1.0" } },
}

-- What the firmware contains (the supplier's SBOM): the assessment action is scored against this ground truth.
sbom {
	tcu = {
		["2.3.1"] = { "openssl@1.1.1k", "busybox@1.31.1", "modemmgr@3.2.2" },
		["2.3.4"] = { "openssl@1.1.1k", "busybox@1.31.1", "modemmgr@3.2.2" },
		["2.4.1"] = { "openssl@3.0.8", "busybox@1.36.0", "modemmgr@3.3.0" },
	},
}

local C2 = "203.0.113.7"

-- Scoring beyond the expectations: harmful actions and the outcome for the whole coalition.
penalty { action = "ota_campaign", args = { version = "2.4.0" }, points = 20,
          reason = "pushed the release candidate 2.4.0 that failed power-management tests" }
penalty { action = "isolate_service", args = { name = "telematics" }, points = 10, once = true,
          reason = "took telematics down for every customer instead of blocking the C2" }
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 170,337 and 11,102. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "compromised", best = 0, worst = 10000, points = 30 },
	{ metric = "customers_affected", best = 0, worst = 20000, points = 10 },
	{ metric = "harm", best = 11200, worst = 170000, points = 480 },
}

-- What the pages show of the fleet for this drill: tiles and chart series (each series on its own scale).
dashboard {
	tiles = { "total", "compromised", "patched", "offline", "customers_affected" },
	series = { "compromised", "patched", "customers_affected" },
}

-- 00:05 the first wave: 0.2 % of the vulnerable TCUs.
at("00:05:00", function(now)
	attack.compromise { select = { ecu = "tcu", below = "2.4.0" }, fraction = 0.002, c2 = C2, entry = "tcu",
	                    technique = "ATM-T0012", indicators = { "update-check.example.net" } }
	log("first wave launched against TCU < 2.4.0")
end)

-- Every 10 minutes each online compromised TCU sends the exploit SMS to 0.25 more vulnerable cars on average, to the
-- numbers the C2 hands out: the spread stops once the C2 is blocked (attack.stop) or the mobile network operator
-- filters the exploit SMS (a `contact` with the operator, below). Assumption: 0.25 per 10 minutes.
local smsFiltered = false
every("10m", function(now)
	if not smsFiltered then attack.spread { rate = 0.25, c2 = C2, select = { ecu = "tcu", below = "2.4.0" } } end
end, { start = "00:15:00" })

inject {
	id = "I1", at = "00:10:00", to = { "vsoc" }, severity = "high",
	title = "IDS alert surge: TCUs beaconing to 203.0.113.7",
	body = "In-vehicle IDS reports from Sedan-A and SUV-B: the TCU opens outbound TLS sessions to 203.0.113.7:8443 " ..
		"every 60 s after an inbound SMS burst. 40 cars so far, rising.",
	expects = {
		{ action = "triage", args = { inject = "I1" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = C2 }, within = "1h", points = 20 },
		{ action = "contact", args = { party = "mno" }, within = "1h", points = 10, label = "I1-mno-sms-filter" },
	},
}

inject {
	id = "I2", at = "00:30:00", to = { "oem_psirt" }, severity = "high",
	title = "VSOC escalation: suspected remote code execution in TCU 2.3.x",
	body = "VSOC correlates the beacons with TCU firmware 2.3.1 and 2.3.4. Crash dumps show a heap overflow in the " ..
		"SMS PDU parser of the modem manager, modemmgr 3.2.2. Bring in the supplier and size the exposure from the SBOM.",
	expects = {
		{ action = "triage", args = { inject = "I2" }, within = "30m", points = 5 },
		{ action = "share", args = { to = "supplier" }, within = "1h", points = 10, label = "I2-engage-supplier" },
		{ action = "assess", args = { component = "modemmgr@3.2.2" }, within = "2h", points = 15 },
	},
}

inject {
	id = "I3", at = "00:45:00", to = { "supplier" }, severity = "high",
	title = "OEM request: root cause for TCU crash dumps",
	body = "The OEM PSIRT sends 12 crash dumps from TCU 2.3.1/2.3.4. Identify the vulnerable component and share " ..
		"your analysis (TLP:AMBER) with the OEM.",
	expects = {
		{ action = "share", args = { to = "oem_psirt", tlp = "amber" }, within = "1h", points = 15 },
	},
}

inject {
	id = "I4", at = "01:00:00", to = { "isac" }, severity = "medium",
	title = "Member request: anyone seeing TCU beacons to 203.0.113.7?",
	body = "Two member OEMs ask the ISAC whether the C2 address reported on a researcher's blog is being seen in " ..
		"the wild.",
	expects = {
		{ action = "share", args = { to = "all", tlp = "green" }, within = "1h", points = 10 },
		{ action = "notify", args = { party = "isac" }, within = "24h", points = 5, label = "I4-isac-members" },
	},
}

inject {
	id = "I5", at = "01:30:00", to = { "oem_psirt", "supplier" }, severity = "high",
	title = "Supplier: fixed firmware 2.4.1 passed regression tests",
	body = "TCU firmware 2.4.1 (modemmgr 3.3.0 with the fixed SMS PDU parser, openssl 3.0.8) is signed and ready. Do not ship 2.4.0: it " ..
		"fails the power-management test.",
	expects = {
		{ team = "oem_psirt", action = "ota_campaign", args = { ecu = "tcu", version = "2.4.1" }, within = "1h",
		  points = 25 },
		{ team = "supplier", action = "report", within = "2h", points = 5, label = "I5-supplier-advisory" },
	},
}

-- Reporting, by its real sources (the OEM is Japanese, the cars are registered in Japan):
--  - APPI (個人情報保護法) Art. 26 and its rules Art. 7-8: a leak by unauthorized access of personal data (the TCU
--    holds the owner's contract ID and GPS location) is reported to the PPC (個人情報保護委員会): a 速報
--    (preliminary report) promptly, which the PPC guidelines put at about 3-5 days, and a 確報 (final report)
--    within 60 days for a leak caused by unauthorized access.
--  - UN R155 7.4.1: the manufacturer reports the outcome of its monitoring, incidents included, to the approval
--    authority (MLIT, 国土交通省); no clock is set, the drill asks for a notice the same day (assumption).
-- The drill is 4 h long, so a report not sent by then counts as missed.
inject {
	id = "I6", at = "00:40:00", to = { "legal_pr" }, severity = "high",
	title = "Reporting: personal data within the attackers' reach; type-approved vehicles affected",
	body = "The compromised TCUs hold the owner's contract ID and GPS location: under the APPI a leak by unauthorized " ..
		"access is reported to the PPC (速報 promptly, about 3-5 days; 確報 within 60 days). The cars are type-approved " ..
		"under UN R155: inform MLIT through the CSMS monitoring report (7.4.1) today.",
	expects = {
		{ action = "notify", args = { party = "ppc", stage = "initial" }, within = "3d", points = 15,
		  label = "APPI-PPC-sokuho-3-5d" },
		{ action = "notify", args = { party = "mlit", stage = "initial" }, within = "8h", points = 10,
		  label = "R155-7.4.1-MLIT-notice" },
		{ action = "notify", args = { party = "ppc", stage = "final" }, within = "60d", points = 10,
		  label = "APPI-PPC-kakuho-60d" },
	},
}

-- If the attack gets out of hand, the press notices.
when(function() return world.metrics().compromised > 400 end, function(now)
	inject {
		id = "I7", to = { "legal_pr" }, severity = "critical",
		title = "Press inquiry: \"hackers can take over cars\"",
		body = "A national daily asks for comment within the hour; social media shows owners reporting odd TCU reboots.",
		expects = {
			{ action = "notify", args = { party = "customers" }, within = "1h", points = 10 },
		},
	}
end)

-- Blocking the C2 at the backend stops the campaign. An impact assessment far from the SBOM ground truth
-- (the world returns the relative error) costs points: the regulator and the supplier plan on that number.
on("action", function(a)
	if a.kind == "contact" and a.args.party == "mno" and not smsFiltered then
		smsFiltered = true
		log("exploit SMS filtered by the mobile operator at " .. clock())
		return { text = "The mobile operator filters the exploit SMS PDU pattern network-wide: the worm cannot spread", effective = true }
	elseif a.kind == "block_indicator" and a.args.value == C2 then
		attack.stop { c2 = C2 }
		log("C2 blocked by " .. a.team .. " at " .. clock())
	elseif a.kind == "assess" and a.result and a.result.error and a.result.error > 0.25 then
		score.add { team = a.team, points = -5, reason = string.format("assessment off by %.0f %%", a.result.error * 100) }
	end
end)
