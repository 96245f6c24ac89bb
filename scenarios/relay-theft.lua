-- relay-theft: a relay-attack theft wave against keyless-entry cars.
--
-- Story: an organised crew uses relay boxes (one amplifies the smart key's signal from inside the owner's house,
-- the other presents it at the car door) to steal one SUV model in Kanto night after night. It is physical, not
-- remote, so there is no C2 to block: each "compromised" car here is a car broken into and driven away. The
-- defences are a body-control-module (BCM) update that adds motion-sensing key sleep and UWB distance bounding
-- (patched cars resist), remote tracking with the police, owner advice (key pouches, steering locks), and
-- intelligence sharing between OEMs through the ISAC. The supplier of the keyless-entry module has the fix.
--
--   vsoc       triage the theft-pattern alert, share the pattern with the OEM PSIRT
--   oem_psirt  confirm the relay technique, push the BCM update to the targeted model, assess exposure
--   supplier   (keyless-entry module vendor) deliver and document BCM 3.3.1, report on the root cause
--   isac       share the modus operandi with members (TLP:GREEN) and the police liaison
--   legal_pr   police cooperation, owner advice, MLIT notice (UN R155 7.4.1 monitoring report)
scenario {
	id = "relay-theft",
	title = "Relay-attack theft wave on keyless cars",
	description = "A relay-attack crew steals one keyless SUV model night after night; patch the BCM, work with " ..
		"the police and the ISAC, and advise owners.",
	duration = "8h",
	seed = 31,
	techniques = { "ATM-T0007" },  -- ATM relay communications (the keyless-entry signal is relayed)
}

teams {
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "supplier", name = "Keyless-entry module supplier" },
	{ id = "isac", name = "ISAC liaison" },
	{ id = "legal_pr", name = "Legal & PR" },
}

-- 40,000 cars: the targeted SUV in two regions, and a sedan with the newer keyless module.
fleet {
	{ model = "SUV-B", count = 18000, region = "JP-Kanto", ecus = { tcu = "2.4.1", bcm = "3.1.4" } },
	{ model = "SUV-B", count = 12000, region = "JP-Kansai", ecus = { tcu = "2.4.1", bcm = "3.1.4" } },
	{ model = "Sedan-A", count = 10000, region = "JP-Kanto", ecus = { tcu = "2.4.1", bcm = "3.3.0" } },
}

sbom { bcm = { ["3.1.4"] = { "lf-keyless@1.8.2", "uwb-ranging@0.0.0" }, ["3.3.1"] = { "lf-keyless@2.0.1", "uwb-ranging@1.2.0" } } }

local CREW = "relay-crew-kanto"

penalty { action = "disable_feature", args = { feature = "remote_unlock" }, points = 5, once = true,
          reason = "disabled remote unlock, which the relay attack does not use" }
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 17,613 and 14,205. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "compromised", best = 0, worst = 300, points = 40 },  -- cars stolen
	{ metric = "harm", best = 14300, worst = 17600, points = 360 },
}

-- What the pages show of the fleet for this drill: tiles and chart series (each series on its own scale).
dashboard {
	tiles = { "total", { metric = "compromised", label = { en = "Cars stolen", ja = "盗難車両" } }, "customers_affected", "patched" },
	series = { { metric = "compromised", label = { en = "Cars stolen", ja = "盗難車両" } }, "customers_affected" },
}

-- Every 30 minutes through the night the crew steals more SUV-Bs; from 03:00 it also works in Kansai. Only cars
-- still on BCM 3.1.x can be relayed: once BCM 3.3.1 (UWB distance bounding) lands on a car it cannot be taken.
-- The world has no "stolen" state: a theft is a compromise that nothing undoes (persistence = true, and entered
-- through the TCU, which the thieves cut, so the BCM update does not clean it). Thefts are cumulative: a stolen
-- car never comes back when the fix arrives, and `compromised` counts the cars taken (assumption: 6 to 21 cars a
-- half hour, in line with the theft waves reported for single models in Japan's prefectures).
-- The crew picks SUV-Bs in the street without knowing their firmware: of its attempts, the share that finds a car
-- still on BCM 3.1.x succeeds.
local nights = 0
local function steal(region, attempts)
	local all = fleet.count { model = "SUV-B", region = region }
	local open = fleet.count { model = "SUV-B", region = region, ecu = "bcm", below = "3.3.0", state = "clean" }
	local n = math.floor(attempts * open / all + 0.5)
	if n > 0 then
		attack.compromise { select = { model = "SUV-B", region = region, ecu = "bcm", below = "3.3.0" },
		                    count = n, entry = "tcu", persistence = true, c2 = CREW, technique = "ATM-T0007" }
	end
end
every("30m", function()
	nights = nights + 1
	steal("JP-Kanto", 6 + nights)
	if now() >= seconds("03:00:00") then steal("JP-Kansai", 4) end
end, { start = "00:10:00" })

inject {
	id = "R1", at = "00:45:00", to = { "vsoc" }, severity = "medium",
	title = "Pattern: SUV-B unlocked and started with no key event logged",
	body = "Telematics shows 20 SUV-Bs in Kanto unlocked and started between 01:00 and 04:00 local time, each " ..
		"preceded by a valid smart-key response with a 20-40 microsecond longer round trip. Owners report thefts.",
	expects = {
		{ action = "triage", args = { inject = "R1" }, within = "30m", points = 5 },
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 10, label = "R1-escalate" },
	},
}

inject {
	id = "R2", at = "01:30:00", to = { "oem_psirt" }, severity = "high",
	title = "Relay attack suspected on BCM 3.1.x keyless entry",
	body = "The round-trip anomaly matches a two-box relay. BCM 3.1.x has no motion-sleep key and no UWB distance " ..
		"bounding. Ask the supplier for a fix and size the exposure.",
	expects = {
		{ action = "share", args = { to = "supplier" }, within = "30m", points = 10 },
		{ action = "assess", args = { component = "lf-keyless@1.8.2" }, within = "2h", points = 10 },
	},
}

inject {
	id = "R3", at = "02:00:00", to = { "supplier" }, severity = "high",
	title = "OEM request: relay-resistant keyless entry for BCM 3.1.x",
	body = "Deliver a BCM build with UWB distance bounding enabled; report root cause and test evidence.",
	expects = {
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 10, label = "R3-fix-ready" },
		{ action = "report", within = "3h", points = 10 },
	},
}

inject {
	id = "R4", at = "03:00:00", to = { "oem_psirt", "supplier" }, severity = "high",
	title = "BCM 3.3.1 validated: UWB distance bounding on",
	body = "Push BCM 3.3.1 to SUV-B over the air; cars that have it reject relayed key responses.",
	expects = {
		{ team = "oem_psirt", action = "ota_campaign", args = { ecu = "bcm", version = "3.3.1" }, within = "1h",
		  points = 25 },
	},
}

inject {
	id = "R5", at = "01:00:00", to = { "isac", "legal_pr" }, severity = "medium",
	title = "Police ask for technical details; other OEMs ask if they are affected",
	body = "The prefectural police want the modus operandi; two member OEMs with the same keyless supplier ask " ..
		"for indicators. A keyless-entry weakness exploited at scale is a finding of the CSMS monitoring that MLIT, " ..
		"the type-approval authority, expects to hear of (UN R155 7.4.1; no clock is set: report today).",
	expects = {
		{ team = "isac", action = "share", args = { to = "all", tlp = "green" }, within = "2h", points = 10 },
		{ team = "legal_pr", action = "notify", args = { party = "police" }, within = "1h", points = 10 },
		{ team = "legal_pr", action = "notify", args = { party = "customers" }, within = "4h", points = 10,
		  label = "R5-owner-advice" },
		{ team = "legal_pr", action = "notify", args = { party = "mlit", stage = "initial" }, within = "8h",
		  points = 10, label = "R155-7.4.1-MLIT-notice" },
	},
}

when(function() return world.metrics().compromised >= 150 end, function()  -- only SUV-Bs are stolen
	inject {
		id = "R6", to = { "legal_pr" }, severity = "critical",
		title = "Insurers threaten to refuse cover for SUV-B",
		body = "Two insurers announce higher premiums or refusal for SUV-B in Kanto until a fix is shipped.",
		expects = { { action = "notify", args = { party = "customers" }, within = "2h", points = 5 } },
	}
end)
