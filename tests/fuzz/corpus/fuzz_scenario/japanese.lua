scenario { id = "ja-fixture", title = "日本語の演習", duration = "1h", description = "UTF-8 のテスト" }
teams { { id = "vsoc", name = "車両SOC" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
inject { id = "I1", at = "00:01:00", to = "vsoc", severity = "high", title = "不審な通信を検知",
         body = "TCU が 203.0.113.7 へ接続しています。対応してください。",
         expects = { { action = "triage", args = { inject = "I1" }, within = "10m", points = 5 } } }
at("00:02:00", function() log("ログ: " .. utf8.char(0x8eca) .. "両") end)
