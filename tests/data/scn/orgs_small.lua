-- orgs_small: a small multi-organisation drill for the tests (tests/c/test_scn_orgs.c, tests/browser/ws_orgs.test.mjs):
-- two OEMs (oem_b ingests shared indicators after 30 minutes), a supplier, the ISAC and a regulator, one or two
-- teams each; one campaign over both OEMs' vulnerable TCUs from 00:10.
scenario { id = "orgs-small", title = "Orgs: sharing and scope", duration = "3h", seed = 5 }

orgs {
	{ id = "oem_a", name = "OEM A", kind = "oem" },
	{ id = "oem_b", name = "OEM B", kind = "oem", ingest = "30m" },
	{ id = "tier1", name = "Tier-1", kind = "supplier" },
	{ id = "isac", name = "ISAC", kind = "isac" },
	{ id = "reg", name = "Regulator", kind = "regulator" },
}

parties { "reg" }  -- a notify may name the regulator organisation: its team receives it

teams {
	{ id = "a1", name = "OEM A SOC", org = "oem_a" },
	{ id = "a2", name = "OEM A PSIRT", org = "oem_a" },
	{ id = "b1", name = "OEM B SOC", org = "oem_b" },
	{ id = "b2", name = "OEM B PSIRT", org = "oem_b" },
	{ id = "sup", name = "Supplier PSIRT", org = "tier1" },
	{ id = "isac1", name = "ISAC SOC", org = "isac" },
	{ id = "reg1", name = "Regulator liaison", org = "reg" },
}

fleet {
	{ org = "oem_a", model = "A-Sedan", count = 3000, region = "JP-Kanto", ecus = { tcu = "3.2.0" } },
	{ org = "oem_b", model = "B-SUV", count = 2000, region = "JP-Chubu", ecus = { tcu = "3.2.0" } },
	{ org = "oem_b", model = "B-Kei", count = 1000, region = "JP-Kanto", ecus = { tcu = "4.0.0" } },
}

-- a declared service of each OEM and a key to one of them: an OEM team's catalog names its own only
services {
	{ id = "a_portal", name = "OEM A dealer portal", org = "oem_a", customers = 100 },
	{ id = "b_portal", name = "OEM B dealer portal", org = "oem_b", customers = 100 },
}
credentials {
	{ id = "b-portal-key", name = "OEM B portal key", kind = "api_key", held_by = "tier1", reaches = { "b_portal" }, org = "oem_b" },
}

sbom { tcu = { ["3.2.0"] = { "qmodem-sdk@2.4.1" }, ["4.0.0"] = { "qmodem-sdk@2.5.0" } } }

at("00:10:00", function()
	attack.compromise { select = { ecu = "tcu", below = "4.0.0" }, fraction = 0.05, c2 = "203.0.113.9",
	                    indicators = { "bad.example.org" }, persistence = true }
	attack.exfiltrate { records_per_car = 1 }
end)

inject { id = "O1", at = "00:05:00", to = "all", title = "Start", body = "The drill has started." }
