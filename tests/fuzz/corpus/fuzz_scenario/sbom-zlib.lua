-- sbom-zlib: SBOM 分科会向け演習。zlib の脆弱性 CVE-2022-37434 を載せた車種を SBOM で特定し、VEX で回答する
--            (インジェクトは日本語)
--
-- Story (the SBOM working group's drill): an advisory for a vulnerability in zlib, the compression library inside
-- nearly every firmware, reaches the ISAC. Three tier-1 suppliers (TCU, IVI, gateway) must find which of their
-- firmware carries a vulnerable zlib — directly, or transitively through their own OTA agent, Qt's bundled copy or
-- a third vendor's navigation SDK — and publish VEX statements; the OEM must say which models are affected and
-- push the fixed TCU build. The trap: zlib is everywhere, but only code that calls inflateGetHeader() is affected,
-- so "not_affected" is often right (code_not_reachable) and sometimes badly wrong. A wrong not_affected costs points.
--
--   isac       pass the advisory (it comes with the inject, CycloneDX) to the members, then the working group's summary
--   tier1_tcu  TCU 3.2.0 (affected: its OTA agent reads gzip headers), TCU 2.8.1 (not affected: libcurl only)
--   tier1_ivi  IVI 6.1.0 (affected through the navigation SDK 5.4.0), IVI 6.2.0 (not affected: SDK 6.0.1)
--   tier1_gw   gateway 1.5.0 (no zlib at all) and 1.6.0 (zlib 1.2.13, already fixed): not affected
--   oem_psirt  the models affected (Sedan-A, SUV-B: 65,000 cars) and not (Kei-C), push TCU 3.2.1
--
-- Sources (every figure in this file is one of these, or an assumption of the drill):
--   CVE-2022-37434: NVD, https://nvd.nist.gov/vuln/detail/CVE-2022-37434 — published 2022-08-05, CVSS v3.1 9.8
--     CRITICAL (AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H), CWE-787; "zlib through 1.2.12 has a heap-based buffer
--     over-read or buffer overflow in inflate in inflate.c via a large gzip header extra field. NOTE: only
--     applications that call inflateGetHeader are affected."
--   The fix: zlib ChangeLog, "Changes in 1.2.13 (13 Oct 2022) ... Fix a bug when getting a gzip header extra field
--     with inflate()"; 1.2.12 is of 27 Mar 2022 and 1.2.11 of 15 Jan 2017 (same ChangeLog).
--   Qt bundles a copy of zlib (qtbase src/3rdparty/zlib); which version a given Qt build carries is an assumption here.
-- Assumptions (invented for the drill, not facts about any product): the fleet (models, counts, firmware versions),
--   every SBOM beside this file and what each firmware calls (the ground truth in sbom-zlib.truth.vex.cdx.json),
--   the deadlines and points.
scenario {
	id = "sbom-zlib",
	title = "SBOM 分科会演習:zlib CVE-2022-37434 の影響範囲特定と VEX 公開",
	description = "zlib の脆弱性(inflateGetHeader のヒープバッファオーバーフロー)について、各サプライヤーが SBOM から" ..
		"自社ファームウェアへの搭載(直接・推移的)を特定し VEX で回答する。誤った not_affected は減点。",
	duration = "5h",
	seed = 37434,
	techniques = { "T1195.001" },  -- supply chain compromise: software dependencies
}

teams {
	{ id = "isac", name = "J-Auto-ISAC SBOM 分科会" },
	{ id = "tier1_tcu", name = "TCU サプライヤー PSIRT" },
	{ id = "tier1_ivi", name = "IVI サプライヤー PSIRT" },
	{ id = "tier1_gw", name = "ゲートウェイ サプライヤー PSIRT" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
}

-- 80,000 cars (assumption).
fleet {
	{ model = "Sedan-A", count = 40000, region = "JP-Kanto", ecus = { tcu = "3.2.0", gw = "1.5.0", ivi = "6.1.0" } },
	{ model = "SUV-B", count = 25000, region = "JP-Kansai", ecus = { tcu = "3.2.0", gw = "1.6.0", ivi = "6.2.0" } },
	{ model = "Kei-C", count = 15000, region = "JP-Chubu", ecus = { tcu = "2.8.1", gw = "1.5.0" } },
}

-- What the firmware contains: the suppliers' CycloneDX SBOMs (syft and cdxgen shapes), the SBOMs of two parts
-- (the TCU supplier's OTA agent, the navigation SDK) that the firmware SBOMs only name, and the gateway supplier's
-- list in kyodo's table form. The fixed TCU 3.2.1 has zlib 1.2.13.
sbom.load("sbom-zlib.tcu-3.2.0.cdx.json")
sbom.load("sbom-zlib.tcu-2.8.1.cdx.json")
sbom.load("sbom-zlib.ota-agent-2.1.0.cdx.json", { part = true })
sbom.load("sbom-zlib.ivi-6.1.0.cdx.json")
sbom.load("sbom-zlib.ivi-6.2.0.cdx.json")
sbom.load("sbom-zlib.navi-sdk-5.4.0.cdx.json", { part = true })
sbom {
	gw = {
		["1.5.0"] = { "pkg:generic/freertos@10.4.6", "pkg:generic/mbedtls@2.28.1", "pkg:generic/autosar-com@4.4.0" },
		["1.6.0"] = { "pkg:generic/freertos@10.5.1", "pkg:generic/mbedtls@2.28.3", "pkg:generic/zlib@1.2.13" },
	},
	tcu = { ["3.2.1"] = { "busybox@1.36.1", "openssl@3.0.8", "pkg:generic/curl@7.86.0", "pkg:generic/zlib@1.2.13",
	                      "tier1-tcu/ota-agent@2.1.1" } },
}

-- The ground truth of CVE-2022-37434: the public advisory (zlib below 1.2.13, by purl and range) and the
-- facilitator's VEX of what each firmware really calls. Teams see the advisory, never the truth.
local CVE = "CVE-2022-37434"
sbom.load("sbom-zlib.advisory.cdx.json")
sbom.load("sbom-zlib.truth.vex.cdx.json")

-- The facilitator's timeline opens with the ground truth (65,000 cars: Sedan-A and SUV-B).
at("00:00:01", function()
	local t = sbom.affected { vulnerability = CVE }
	log(string.format("ground truth %s: %d cars affected", CVE, t.cars))
end)

-- Statements scored against the ground truth: a wrong not_affected is the costly mistake (customers left exposed);
-- a wrong "affected" (a false alarm) costs a little. Points are assumptions of the drill.
on("action", function(a)
	if a.kind ~= "assess" or a.args.vulnerability ~= CVE or not a.result then return end
	if a.result.wrong_not_affected then
		score.add { team = a.team, points = -25,
		            reason = string.format("誤った not_affected(実際には %d 台が影響あり)", a.result.covered_affected) }
	elseif a.result.correct == false then
		score.add { team = a.team, points = -5, reason = "誤った affected(影響なし)" }
	end
end)
outcome {
	{ metric = "patched", best = 65000, worst = 0, points = 20 },
}

inject {
	id = "Z1", at = "00:05:00", to = { "isac" }, severity = "high",
	title = "【注意喚起】zlib の脆弱性 CVE-2022-37434(CVSS 9.8)",
	body = "zlib 1.2.12 以前の inflate() に、gzip ヘッダの拡張フィールド(FEXTRA)が大きい場合のヒープバッファ" ..
		"オーバーフローがあります(NVD: CVSS v3.1 9.8)。影響を受けるのは inflateGetHeader() を呼ぶアプリケーション" ..
		"のみです。修正版は zlib 1.2.13。CycloneDX 形式のアドバイザリを添付します。会員各社へ展開してください。",
	advisory = "sbom-zlib.advisory.cdx.json",
	expects = {
		{ action = "triage", args = { inject = "Z1" }, within = "15m", points = 5 },
		{ action = "share", args = { to = "all" }, within = "30m", points = 15, label = "Z1-advisory-to-members" },
	},
}

inject {
	id = "Z2", at = "00:30:00", to = { "tier1_tcu", "tier1_ivi", "tier1_gw", "oem_psirt" }, severity = "high",
	title = "SBOM 分科会:CVE-2022-37434 の影響有無を VEX で回答してください",
	body = "各社は自社ファームウェアの SBOM から zlib(直接・推移的)の搭載有無と版数を確認し、影響有無を" ..
		"ファームウェア単位で回答してください(assess:vulnerability、status、not_affected の場合は justification)。" ..
		"回答期限は 2 時間。zlib を搭載していても inflateGetHeader() を呼ばなければ not_affected です。",
	expects = {
		{ team = "tier1_tcu", action = "assess", within = "2h", points = 20, label = "Z2-tcu-3.2.0-affected",
		  args = { vulnerability = CVE, status = "affected", select = { ecu = "tcu", version = "3.2.0" } } },
		{ team = "tier1_tcu", action = "assess", within = "2h", points = 15, label = "Z2-tcu-2.8.1-not-affected",
		  args = { vulnerability = CVE, status = "not_affected", select = { ecu = "tcu", version = "2.8.1" } } },
		{ team = "tier1_ivi", action = "assess", within = "2h", points = 20, label = "Z2-ivi-6.1.0-affected",
		  args = { vulnerability = CVE, status = "affected", select = { ecu = "ivi", version = "6.1.0" } } },
		{ team = "tier1_ivi", action = "assess", within = "2h", points = 15, label = "Z2-ivi-6.2.0-not-affected",
		  args = { vulnerability = CVE, status = "not_affected", select = { ecu = "ivi", version = "6.2.0" } } },
		{ team = "tier1_gw", action = "assess", within = "2h", points = 15, label = "Z2-gw-not-affected",
		  args = { vulnerability = CVE, status = "not_affected", select = { ecu = "gw" } } },
	},
}

inject {
	id = "Z3", at = "00:50:00", to = { "tier1_tcu" }, severity = "medium",
	title = "社内調査:OTA エージェントは更新パッケージの gzip ヘッダを読んでいる",
	body = "OTA エージェント 2.1.0 は更新パッケージのメタデータを gzip の FEXTRA フィールドから inflateGetHeader() で" ..
		"読み出しています(エージェント自身の SBOM を参照)。TCU 2.8.1 は zlib を libcurl 経由でしか使っていません。",
}

inject {
	id = "Z4", at = "01:00:00", to = { "tier1_ivi" }, severity = "medium",
	title = "ナビ SDK ベンダーからの連絡:地図タイルの読み込みで inflateGetHeader() を使用",
	body = "navi-sdk 5.4.0 は地図タイル ID を gzip の FEXTRA フィールドに格納しており、inflateGetHeader() で読み出します。" ..
		"6.0 以降はタイル ID をヘッダ外に移したため呼び出しはありません。Qt 同梱の zlib は inflateGetHeader() を使いません。",
}

inject {
	id = "Z5", at = "01:30:00", to = { "oem_psirt" }, severity = "high",
	title = "経営層:どの車種が影響を受けるのか、台数は",
	body = "サプライヤーの回答とSBOM をもとに、影響を受ける車種・台数と影響を受けない車種を VEX で示してください。",
	expects = {
		{ action = "assess", within = "2h", points = 15, label = "Z5-affected-models",
		  args = { vulnerability = CVE, status = "affected" } },
		{ action = "assess", within = "2h", points = 15, label = "Z5-kei-c-not-affected",
		  args = { vulnerability = CVE, status = "not_affected", select = { model = "Kei-C" } } },
	},
}

inject {
	id = "Z6", at = "02:30:00", to = { "oem_psirt", "tier1_tcu" }, severity = "high",
	title = "TCU 3.2.1(zlib 1.2.13、OTA エージェント 2.1.1)をリリース",
	body = "TCU サプライヤーが zlib 1.2.13 を組み込んだ TCU 3.2.1 をリリースしました。OEM は OTA で配信してください。",
	expects = {
		{ team = "oem_psirt", action = "ota_campaign", args = { ecu = "tcu", version = "3.2.1" }, within = "1h", points = 20 },
	},
}

inject {
	id = "Z7", at = "03:00:00", to = { "isac" }, severity = "medium",
	title = "SBOM 分科会:回答の取りまとめを会員へ共有",
	body = "各社の VEX 回答を取りまとめ、TLP:GREEN で会員へ共有してください。",
	expects = {
		{ action = "share", args = { to = "all", tlp = "green" }, within = "1h", points = 10, label = "Z7-summary" },
	},
}
