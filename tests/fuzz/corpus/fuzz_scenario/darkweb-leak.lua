-- darkweb-leak: 公開コード共有サイトとダークウェブで見つかった顧客・車両データ漏えい(インジェクトは日本語)
--
-- Story (Japanese-language drill, modelled on the joint exercises of Japan's automotive ISAC): the ISAC's SOC,
-- which monitors vulnerability and dark-web intelligence, finds a public repository on a code-sharing site holding
-- a telematics backend configuration file with a service account credential, and then a dark-web forum post
-- selling "Japanese connected-car owner data" (names, VINs, location history). The credential still works:
-- someone is pulling records from the telematics backend. The teams must stop the bleeding (rotate / isolate),
-- get the repository taken down, notify the Personal Information Protection Commission (PPC) and the transport
-- regulator (UN R155 24 h / 72 h), tell customers and share intelligence with the members.
--
--   isac       (ISAC liaison, with the SOC's dark-web monitoring) pass the finding to the OEM, warn members
--   vsoc       triage the unusual API pulls, block the scraping hosts
--   oem_psirt  isolate the telematics service account path, assess which data and cars are exposed
--   supplier   (the backend contractor whose engineer pushed the repository) take it down, rotate, report
--   legal_pr   PPC / regulator notices, customer notice, takedown requests
--
-- Inject texts are in Japanese on purpose: the participant pages and the journal must keep them intact (UTF-8).
scenario {
	id = "darkweb-leak",
	title = "顧客・車両データ漏えい:公開リポジトリとダークウェブ",
	description = "公開コード共有サイトに流出した認証情報からテレマティクス基盤のデータが抜き取られ、ダークウェブで販売" ..
		"されている。流出を止め、削除を依頼し、当局・顧客・会員へ通知する。",
	duration = "6h",
	seed = 53,
	techniques = { "T1552.001", "T1078", "T1530" },  -- credentials in files, valid accounts, data from cloud storage
}

teams {
	{ id = "isac", name = "ISAC 連絡担当(SOC)" },
	{ id = "vsoc", name = "車両SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "supplier", name = "バックエンド委託先" },
	{ id = "legal_pr", name = "法務・広報" },
}

fleet {
	{ model = "Sedan-A", count = 60000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.2.1" } },
	{ model = "Kei-C", count = 40000, region = "JP-Chubu", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.2.1" } },
}

local SCRAPER = "192.0.2.45"

penalty { action = "share", args = { tlp = "clear", text = "~VIN" }, points = 10,
          reason = "published victims' VINs in a TLP:CLEAR share" }
outcome {
	{ metric = "records_exfiltrated", best = 0, worst = 3000000, points = 40 },
}

-- The leaked service account: the telematics backend counts as compromised from the start of the drill.
local stopped = false
at("00:00:30", function()
	service.degrade { name = "telematics", level = "compromised" }
end)
every("10m", function()
	if stopped then return false end
	attack.exfiltrate { service = "telematics", records = 25000 }
end, { start = "00:05:00" })

inject {
	id = "D1", at = "00:20:00", to = { "isac" }, severity = "high",
	title = "ダークウェブ監視:国内コネクテッドカー所有者データの販売投稿",
	body = "ダークウェブのフォーラムに「日本のコネクテッドカー所有者 12 万件(氏名・VIN・位置履歴)」の販売投稿。" ..
		"サンプルに会員 OEM の VIN 形式が含まれる。同じ投稿者が公開コード共有サイト上のリポジトリに言及している。",
	expects = {
		{ action = "triage", args = { inject = "D1" }, within = "15m", points = 5 },
		{ action = "share", args = { to = "oem_psirt", tlp = "amber" }, within = "30m", points = 15,
		  label = "D1-tip-off-oem" },
	},
}

inject {
	id = "D2", at = "00:40:00", to = { "vsoc" }, severity = "high",
	title = "テレマティクス API:サービスアカウントからの大量取得",
	body = "サービスアカウント svc-telemetry-batch が 192.0.2.45 から 10 分ごとに約 2.5 万件の車両レコードを取得。" ..
		"通常のバッチ処理は深夜 1 回のみ。",
	expects = {
		{ action = "triage", args = { inject = "D2" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = SCRAPER }, within = "30m", points = 15 },
	},
}

inject {
	id = "D3", at = "01:00:00", to = { "oem_psirt" }, severity = "critical",
	title = "流出した認証情報がまだ有効",
	body = "公開リポジトリの設定ファイルに svc-telemetry-batch の認証情報。委託先エンジニアが 9 日前に push した" ..
		"もの。認証情報は現在も有効で、抜き取りが続いている。",
	expects = {
		{ action = "isolate_service", args = { name = "telematics" }, within = "30m", points = 15,
		  label = "D3-cut-service-account" },
		{ action = "share", args = { to = "supplier" }, within = "30m", points = 10 },
		{ action = "assess", args = { component = "~" }, within = "3h", points = 5, label = "D3-exposure" },
	},
}

inject {
	id = "D4", at = "01:15:00", to = { "supplier" }, severity = "critical",
	title = "OEM より:貴社エンジニアのリポジトリから認証情報が流出",
	body = "リポジトリの削除、全サービスアカウントの認証情報ローテーション、影響範囲の報告を求める。",
	expects = {
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 10, label = "D4-rotated" },
		{ action = "report", within = "4h", points = 10, label = "D4-incident-report" },
	},
}

inject {
	id = "D5", at = "01:30:00", to = { "legal_pr" }, severity = "high",
	title = "個人データ漏えい:報告期限の確認",
	body = "個人情報保護委員会への速報(おおむね 3〜5 日以内)と確報、国土交通省への報告(UN R155 CSMS:" ..
		"初報 24 時間以内、詳報 72 時間以内)、本人への通知が必要。",
	expects = {
		{ action = "notify", args = { party = "regulator", stage = "initial" }, within = "24h", points = 15,
		  label = "R155-initial-24h" },
		{ action = "notify", args = { party = "regulator", stage = "detailed" }, within = "72h", points = 10,
		  label = "R155-detailed-72h" },
		{ action = "notify", args = { party = "customers" }, within = "4h", points = 10 },
	},
}

inject {
	id = "D6", at = "02:00:00", to = { "isac" }, severity = "medium",
	title = "他の会員からの問い合わせ",
	body = "同じ委託先を使う会員 2 社が、自社データも含まれているか確認したいと連絡。",
	expects = {
		{ action = "share", args = { to = "all", tlp = "green" }, within = "2h", points = 10 },
		{ action = "notify", args = { party = "isac" }, within = "24h", points = 5 },
	},
}

when(function() return world.metrics().records_exfiltrated > 500000 end, function()
	inject {
		id = "D7", to = { "legal_pr" }, severity = "critical",
		title = "報道機関から取材依頼",
		body = "全国紙が「コネクテッドカー 50 万件流出か」と報じる予定。1 時間以内にコメントを求められている。",
		expects = { { action = "notify", args = { party = "customers" }, within = "1h", points = 5 } },
	}
end)

on("action", function(a)
	if a.kind == "isolate_service" and a.args.name == "telematics" and not stopped then
		stopped = true
		log("サービスアカウント遮断: " .. clock())
	end
end)
