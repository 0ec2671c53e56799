"""The demo district: Jiangyan (姜堰区) and its 13 units, as DOMAIN.md §3 names them.

Plain data, shared by the web demo (sanhao.demo) and the scoring engine's demo facts.
"""

DISTRICT = "姜堰区"
# (code, name, kind): kind is "town" (镇) or "subdistrict" (街道)
UNITS = [
    ("baimi", "白米镇", "town"),
    ("luotang", "罗塘街道", "subdistrict"),
    ("liangxu", "梁徐街道", "subdistrict"),
    ("zhangdian", "张甸镇", "town"),
    ("yuduo", "俞垛镇", "town"),
    ("yuxi", "淤溪镇", "town"),
    ("dalun", "大伦镇", "town"),
    ("louzhuang", "娄庄镇", "town"),
    ("sanshui", "三水街道", "subdistrict"),
    ("jiangduo", "蒋垛镇", "town"),
    ("tianmushan", "天目山街道", "subdistrict"),
    ("qintong", "溱潼镇", "town"),
    ("xingtai", "兴泰镇", "town"),
]
