"""Masking of citizens' data for confidential tickets (GB/T 33358 5.1.2.6): 张**, 138****1234.

The fields themselves (name, phone, address, 事发时间, 事发地点) have their own maskers. Free
text is masked twice over: everything derived from the caller's own name, phone and address
(the full values, the given name, a compound surname, the street, compound, building and unit
of the address), and whatever a caller says that has the shape of personal data: mobile and
landline numbers however written (dashes, spaces, +86/0086, area code, 转 extension), 18- and
15-digit ID numbers, street numbers, compounds (小区/花园/家园…), buildings and units, compound
surnames with a form of address (欧阳先生) and "我叫/本人 + name". Ticket numbers stay readable.
"""

from __future__ import annotations

import re

CJK = "\u4e00-\u9fff"
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台",
    "公冶", "太史", "申屠", "闻人", "赫连", "钟离", "宗政", "濮阳", "淳于", "单于", "仲孙",
    "鲜于", "闾丘", "司空", "亓官", "司寇", "颛孙", "壤驷", "公良", "漆雕", "乐正", "拓跋",
    "夹谷", "宰父", "谷梁", "段干", "东郭", "梁丘", "左丘", "东门", "第五", "万俟", "爱新觉罗",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
HONORIFICS = ("先生", "女士", "小姐", "老师", "师傅", "大爷", "大妈", "大姐", "大哥", "阿姨",
              "奶奶", "爷爷", "老人", "同志", "夫人", "太太", "老板", "某")
# Characters that end the name of a place before it when read backwards ("我住在|阳光小区").
PLACE_BOUNDARY = set("在住是的于到去从了和与及我们你他她它这那该本说称叫向对给把被让往离隔边旁附近")
# Suffixes of administrative divisions: kept by mask_address, not masked inside text.
ADMIN_SUFFIXES = ("省", "自治区", "市", "自治州", "州", "盟", "区", "县", "旗")
_NOT_ADMIN = "小区|社区|园区|校区|景区|厂区|街区|超市|菜市|夜市|城市"
_ADMIN_PREFIX = re.compile(
    rf"^(?:(?:(?!{_NOT_ADMIN})[{CJK}]){{1,7}}?(?:自治区|自治州|省|市|州|盟|区|县|旗))+")

_PLACE_SUFFIX = ("自治区|省|市|区|县|旗|镇|乡|街道|大街|街|大道|大马路|路|巷|胡同|弄|村|屯|小区|社区|"
                 "花园|家园|新村|公寓|大厦|嘉园|苑|广场|号院")
_ADDRESS_PART = re.compile(
    rf"[{CJK}]+?(?:{_PLACE_SUFFIX})|[A-Za-z\d]+(?:-\d+)?\s*(?:号楼|号院|栋|幢|座|单元|层|楼|室|号|门)?")
_TICKET_NUMBER = re.compile(r"(?<!\d)\d{6}-\d{8}-\d{4}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:(?:\d[ -]?){17}[\dXx]|\d{15})(?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<!\d)((?:\+|00)\s?86[\s-]?|86[\s-])?(1[3-9]\d(?:[\s-]?\d){8})(?!\d)")
_LANDLINE = re.compile(
    r"(?<!\d)(\(?0\d{2,3}\)?[\s-]?)?([2-9]\d{2,3}[\s-]?\d{4})"
    r"((?:\s*(?:转|分机|ext\.?|-)\s*)\d{1,6})?(?!\d)")
_DATE_LIKE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])")
_BUILDING = re.compile(
    r"(?<![\dA-Za-z])(\d+|[A-Za-z]|[一二三四五六七八九十]{1,3})(\s*(?:号楼|号院|栋|幢|单元|室))"
    r"|(?<![\dA-Za-z])([A-Za-z\d]+)(座)|(?<=单元)(\s*\d{3,5})(?!\d)|(?<![\dA-Za-z*])(\d{3,5})(?=室)")
_STREET_NUMBER = re.compile(rf"([{CJK}]{{1,8}}?)(大街|大道|大马路|街|路|巷|胡同|弄)(\d+(?:-\d+)?号)(?!楼|院)")
_COMPOUND = re.compile(rf"([{CJK}]{{1,8}})(小区|花园|家园|新村|公寓|大厦|嘉园|名苑|社区|苑)")
_SURNAME = "|".join((*COMPOUND_SURNAMES, *SURNAMES))
_HONORIFIC = "|".join(HONORIFICS)
_COMPOUND_ADDRESSED = re.compile(
    rf"({'|'.join(COMPOUND_SURNAMES)})(?=[{CJK}]{{0,2}}?(?:{_HONORIFIC}))")
_INTRODUCED = re.compile(rf"(我叫|我是|本人|名叫|叫做|姓名[::]?\s*)({_SURNAME})([{CJK}]{{1,2}})")


def _stars(text: str) -> str:
    return "*" * len(text)


def _surname(name: str) -> str:
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[:1])


def _strip_honorific(name: str) -> str:
    for honorific in HONORIFICS:
        if name.endswith(honorific) and len(name) > len(honorific):
            return name[: -len(honorific)]
    return name


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """138****1234; a landline keeps its area code (024-****6789), an extension is dropped."""
    main = re.split(r"转|分机|ext|#", phone.strip(), maxsplit=1)[0]
    digits = re.sub(r"\D", "", main)
    if main.strip().startswith(("+86", "0086")) or (len(digits) == 13 and digits[:2] == "86"):
        digits = digits[4:] if main.strip().startswith("0086") else digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if digits.startswith("0") and len(digits) > 8:
        area = digits[:3] if digits[1] in "12" else digits[:4]
        return f"{area}-****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_address(address: str) -> str:
    """Only the administrative part (province, city, district or county) stays: 和平区****."""
    address = address.strip()
    if not address:
        return ""
    admin = _ADMIN_PREFIX.match(address)
    keep = admin.group(0) if admin and admin.end() < len(address) else ""
    return keep + "****"


def mask_time(moment: str) -> str:
    """事发时间 down to the month: 2026-11-20 晚上 -> 2026-11****; 11月20日 -> 11月****."""
    moment = moment.strip()
    if not moment:
        return ""
    month = re.match(r"(?:\d{4}[-/.年])?\d{1,2}(?=[-/.月])[-/.月]?", moment)
    kept = month.group(0).rstrip("-/.") if month else ""
    return kept + "****"


def _secret_variants(secret: str) -> list[str]:
    """What of the caller's name or address may appear in text: the values themselves, the given
    name (2+ characters), a compound surname, and the address's parts below the district."""
    secret = secret.strip()
    if len(secret) < 2:
        return []
    variants = [secret]
    if re.fullmatch(r"[\d\s()+\-#转分机ext.]+", secret):  # a phone: other spellings by shape
        return [secret, re.sub(r"\D", "", secret)]
    base = _strip_honorific(secret)
    if 2 <= len(base) <= 6 and re.fullmatch(f"[{CJK}]+", base):
        surname = _surname(base)
        variants.append(base)
        if len(surname) > 1:
            variants.append(surname)
        if len(base) - len(surname) >= 2:
            variants.append(base[len(surname):])
    for part in _ADDRESS_PART.findall(secret):
        part = part.strip()
        if len(part) >= 2 and not part.endswith(ADMIN_SUFFIXES) or part.endswith(("小区", "社区")):
            variants.append(part)
    return variants


def _place_name(prefix: str) -> str:
    """The name of a place read back from just before its suffix, up to a boundary word."""
    cut = max((prefix.rfind(char) for char in PLACE_BOUNDARY), default=-1)
    return prefix[cut + 1:]


def _mask_mobile(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(2))
    return (match.group(1) or "") + f"{digits[:3]}****{digits[-4:]}"


def _mask_landline(match: re.Match[str]) -> str:
    area, local, extension = match.group(1), match.group(2), match.group(3)
    if not area and not extension and _DATE_LIKE.fullmatch(local):
        return match.group(0)  # 20261125: a date, not a number
    digits = re.sub(r"\D", "", local)
    masked = (area or "") + "*" * (len(digits) - 4) + digits[-4:]
    return masked + (re.sub(r"\d", "*", extension) if extension else "")


def _mask_id(match: re.Match[str]) -> str:
    text = match.group(0)
    return re.sub(r"[\dXx]", "*", text[:-4]) + text[-4:]


def _mask_building(match: re.Match[str]) -> str:
    if match.group(1):
        return _stars(match.group(1)) + match.group(2)
    if match.group(3):
        return _stars(match.group(3)) + match.group(4)
    return _stars(match.group(5) or match.group(6))


def _mask_street(match: re.Match[str]) -> str:
    prefix = match.group(1)
    name = _place_name(prefix)
    return prefix[: len(prefix) - len(name)] + _stars(name + match.group(2) + match.group(3))


def _mask_compound(match: re.Match[str]) -> str:
    prefix = match.group(1)
    name = _place_name(prefix)
    if not name:
        return match.group(0)  # 我们小区: no name said
    return prefix[: len(prefix) - len(name)] + _stars(name) + match.group(2)


def _mask_introduced(match: re.Match[str]) -> str:
    said, surname, rest = match.groups()
    if any(h.startswith(rest) or rest.startswith(h) for h in HONORIFICS):
        return match.group(0)  # 我是王先生: the form of address only
    return said + surname[0] + "*" * (len(surname) - 1 + len(rest))


def _mask_shapes(text: str) -> str:
    text = _ID_NUMBER.sub(_mask_id, text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(_mask_landline, text)
    text = _STREET_NUMBER.sub(_mask_street, text)
    text = _BUILDING.sub(_mask_building, text)
    text = _COMPOUND.sub(_mask_compound, text)
    text = _COMPOUND_ADDRESSED.sub(lambda m: m.group(1)[0] + "*" * (len(m.group(1)) - 1), text)
    return _INTRODUCED.sub(_mask_introduced, text)


def mask_text(text: str, *secrets: str) -> str:
    """Free text of a confidential ticket: the caller's data (`secrets`: name, phone, address,
    in any order) and everything shaped like personal data masked; ticket numbers kept."""
    variants = sorted({v for s in secrets if s for v in _secret_variants(s)}, key=len, reverse=True)
    pieces, last = [], 0
    for match in _TICKET_NUMBER.finditer(text):
        pieces += [_mask_piece(text[last:match.start()], variants), match.group(0)]
        last = match.end()
    pieces.append(_mask_piece(text[last:], variants))
    return "".join(pieces)


def _mask_piece(text: str, variants: list[str]) -> str:
    for variant in variants:
        text = text.replace(variant, _stars(variant))
    return _mask_shapes(text)
