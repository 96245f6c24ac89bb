-- dealer-dms: ransomware at the dealer management system provider, and the service account it shares with the OEM.
--
-- Story, modelled on the June 2024 ransomware attack on CDK Global (a DMS used by about 15,000 North American
-- dealerships: sales, service booking, parts and recall work stopped for about two weeks, dealers went back to paper,
-- a second attack hit during the first restoration, and criminals phoned dealers posing as the vendor's support): the
-- DMS that OEM A's dealers run on is encrypted. The DMS synchronises with the OEM's backend (service bookings, recall
-- status, owner lookup by VIN) through one service account, svc-dms-sync, whose secret sat in the DMS's configuration:
-- the crew took it and pulls owner records from the OEM's app API with it. The teams must contain the DMS, cut the
-- account (rotate it: the DMS sync is degraded while the vendor deploys the new secret), keep customers and dealers
-- informed (owners cannot book service; fraudsters call dealers), restore the DMS only once nothing the crew holds still
-- works (or it is encrypted again), get a safety recall moving although the dealers' system is down, and report.
--
--   dms_vendor  (the DMS provider) contain and restore the DMS, share what it knows with the OEM
--   dealer_ops  (the OEM's dealer network operations) customers and dealers: advisory, manual procedures, fraud warning
--   vsoc        the app API pulls by the DMS account: rotate it
--   oem_psirt   the exposure, the recall that cannot wait
--   legal_pr    police, the Personal Information Protection Commission (APPI 速報 within about 3-5 days)
--
-- Assumptions, for this drill: 6,000 customers depend on the DMS at any hour (a booking, a car in the workshop, a sale
-- in progress across the dealer network); the crew pulls 6,000 owner records every 15 minutes; a rotated DMS account
-- takes the vendor 45 minutes to redeploy; phishing calls from 02:00 take a dealer login every 30 minutes until the
-- dealers are warned.
scenario {
	id = "dealer-dms",
	title = "Dealer management system ransomware and a shared service account",
	description = "The dealers' DMS provider is hit by ransomware; its sync account into the OEM backend was stolen. " ..
		"Contain, cut the account, keep customers and dealers informed, restore safely, keep a recall moving.",
	duration = "8h",
	seed = 31,
	techniques = { "T1486", "T1078", "T1552.001", "T1566.004" },  -- ATT&CK: data encrypted for impact, valid accounts, credentials in files, voice phishing
}

teams {
	{ id = "dms_vendor", name = "DMS provider" },
	{ id = "dealer_ops", name = "Dealer network operations" },
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "legal_pr", name = "Legal & PR" },
}

fleet {
	{ model = "Sedan-A", count = 50000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", bcm = "3.1.4" } },
	{ model = "SUV-B", count = 30000, region = "JP-Kansai", ecus = { tcu = "2.4.1", gw = "1.5.0", bcm = "3.2.1" } },
}

services {
	{ id = "dms", name = "Dealer management system (sales, service booking, parts, recall work)", customers = 6000 },
}

local SYNC, PORTAL = "svc-dms-sync", "dealer-portal"
credentials {
	{ id = SYNC, name = "DMS to OEM backend sync account", kind = "service_account", held_by = "dms_vendor",
	  reaches = { "dms", "app_api" }, used_by = { "dms" }, rotation = "45m" },
	{ id = PORTAL, name = "Dealer staff logins to the DMS", kind = "service_account", held_by = "dealer_ops",
	  reaches = { "dms" }, used_by = { "dms" }, rotation = "2h" },
}

penalty { action = "isolate_service", args = { name = "app_api" }, points = 10, once = true,
          reason = "cut every owner's app instead of the DMS account" }
-- The worst cases are what no response gives: 31 pulls of 6,000 records, the DMS down from 01:00 to the end.
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 1,902,000 and 313,603. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "records_exfiltrated", best = 0, worst = 186000, points = 30 },
	{ metric = "services_customer_hours", best = 10000, worst = 42000, points = 20 },
	{ metric = "harm", best = 314000, worst = 1900000, points = 360 },
}

-- What the pages show: the customers without the DMS, the records taken, the cars fixed at dealers.
dashboard {
	tiles = { "total", { metric = "services_customer_hours", label = { en = "Customer-hours without the DMS", ja = "DMS 停止の顧客時間" } },
	          "records_exfiltrated", { metric = "recall_visits", label = { en = "Cars fixed at dealers", ja = "販売店で改修" } } },
	series = { { metric = "services_customer_hours", label = { en = "Customer-hours without the DMS", ja = "DMS 停止の顧客時間" } },
	           "records_exfiltrated", { metric = "recall_visits", label = { en = "Cars fixed at dealers", ja = "販売店で改修" } } },
}

-- 00:10 the crew dumps the DMS's secrets (the sync account among them) and sits in the DMS.
at("00:10:00", function()
	attack.steal_credential { credential = SYNC }
	service.degrade { name = "dms", level = "compromised" }
end)
-- Owner records through the OEM's app API with the stolen account, until it is rotated (the API refuses it then).
every("15m", function()
	attack.exfiltrate { credential = SYNC, service = "app_api", records = 6000 }
end, { start = "00:30:00" })
-- 01:00 the ransomware detonates: the DMS is down (isolated or not).
at("01:00:00", function()
	service.degrade { name = "dms", level = "down" }
end)

local dealersWarned, reencrypted = false, false
-- Voice phishing of dealer staff from 02:00: a login every 30 minutes until the dealers are warned.
every("30m", function()
	if dealersWarned then return false end
	attack.steal_credential { credential = PORTAL }
end, { start = "02:00:00" })

inject {
	id = "R1", at = "01:05:00", to = { "dms_vendor" }, severity = "critical",
	title = "Our DMS is encrypted: ransom note on every server",
	body = "Dealer sites report that the DMS is unreachable; our data centre shows encrypted volumes and a note from the " ..
		"crew. The DMS holds the sync account into OEM A's backend.",
	expects = {
		{ action = "isolate_service", args = { name = "dms" }, within = "30m", points = 15, label = "R1-contain-dms" },
		{ action = "share", args = { to = "oem_psirt" }, within = "30m", points = 10, label = "R1-tell-the-oem" },
	},
}

inject {
	id = "R2", at = "01:15:00", to = { "dealer_ops" }, severity = "high",
	title = "Dealers cannot book, sell or repair: owners are calling",
	body = "Showrooms and workshops are on paper. Owners with bookings are turned away; the call centre queue is at two " ..
		"hours. Some dealers report callers posing as DMS support asking staff for their logins.",
	expects = {
		{ action = "customer_advisory", within = "1h", points = 10, label = "R2-owners-told" },
		{ action = "contact", args = { party = "dealers" }, within = "1h", points = 15, label = "R2-dealers-warned" },
	},
}

inject {
	id = "R3", at = "01:30:00", to = { "vsoc" }, severity = "high",
	title = "App API: the DMS sync account pulls owner records in bulk",
	body = "svc-dms-sync requests 6,000 owner records every 15 minutes from 203.0.113.50; it normally looks up a few VINs " ..
		"per booking. The DMS itself is down.",
	expects = {
		{ action = "triage", args = { inject = "R3" }, within = "15m", points = 5 },
		{ action = "rotate_credential", args = { credential = SYNC }, within = "30m", points = 25, label = "R3-rotate-sync-account" },
	},
}

inject {
	id = "R4", at = "02:00:00", to = { "legal_pr" }, severity = "high",
	title = "Owner records taken through the DMS account: the clocks",
	body = "Names, addresses and VINs of owners were pulled through the DMS account. APPI: report to the Personal " ..
		"Information Protection Commission (速報 within about 3-5 days) and tell the people affected; the crime goes to " ..
		"the police.",
	expects = {
		{ action = "notify", args = { party = "ppc", stage = "initial" }, within = "3d", points = 15, label = "APPI-PPC-sokuho-3-5d" },
		{ action = "notify", args = { party = "police" }, within = "2h", points = 5 },
	},
}

inject {
	id = "R5", at = "02:30:00", to = { "oem_psirt" }, severity = "high",
	title = "BCM 3.1.x: the immobiliser fix cannot wait for the DMS",
	body = "The relay-theft fix for the Sedan-A body controller (BCM 3.2.1) is released. The BCM has no over-the-air path: " ..
		"it is flashed at the dealer. Start the recall now; the dealers book the visits in the DMS.",
	expects = {
		{ action = "recall", args = { ecu = "bcm", version = "3.2.1" }, within = "2h", points = 10, label = "R5-recall" },
	},
}

inject {
	id = "R6", at = "03:00:00", to = { "dms_vendor" }, severity = "medium",
	title = "Clean rebuild ready",
	body = "The DMS has been rebuilt from offline backups. Before it goes back online: does anything the crew took still " ..
		"work?",
	expects = {
		{ action = "restore_service", args = { name = "dms" }, within = "3h", points = 10, label = "R6-restore-dms" },
	},
}

-- The restore of a DMS while a credential the crew holds still works: it is encrypted again 30 minutes later.
on("action", function(a)
	if a.kind == "contact" and a.args.party == "dealers" and not dealersWarned then
		dealersWarned = true
		return { text = "Dealers warned: no logins over the phone; manual booking sheets in use" }
	elseif a.kind == "recall" and a.args.ecu == "bcm" then
		-- the relay-theft weakness of BCM 3.1.x is outside this drill's world (no attack step here uses it): the
		-- drill answers whether the recall addresses it (an effect-gated expectation, docs/scenario-api.md)
		return { text = "Dealers booked for the BCM re-flash", effective = true }
	elseif a.kind == "customer_advisory" then
		return { text = "Owners told: bookings on paper, expect delays, the dealer never asks for passwords" }
	elseif a.kind == "restore_service" and a.args.name == "dms" then
		local sync = credential.status { credential = SYNC }
		local portal = credential.status { credential = PORTAL }
		if (sync.leaked or portal.leaked) and not reencrypted then
			reencrypted = true
			after("30m", function()
				service.degrade { name = "dms", level = "down" }
				inject { id = "R7", to = { "dms_vendor", "oem_psirt" }, severity = "critical",
				         title = "The DMS is encrypted again",
				         body = "Thirty minutes after the restore the crew came back in with credentials it still held." }
			end)
		end
	end
end)
