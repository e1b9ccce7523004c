"""The scope and emergency rules (scripts_phrases/scope.yaml + gazetteer.yaml), rule by rule:
what callers really say, what only looks like it, cancelling cues, several services at once,
places that exist in and outside Liaoning, and data errors that name the file and the line.
The labelled halves are scored in test_scope_labelled.py; these cases are written here."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

import pytest

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.errors import DataFileError
from seat_console.core.phrases.scope import (CATEGORIES, ScopeDetector, ScopeVerdict,
                                             load_scope, required_factors)


@pytest.fixture(scope="module")
def detector() -> ScopeDetector:
    return ScopeDetector.from_folder(SHIPPED_SCRIPTS_PHRASES)


def category(detector: ScopeDetector, text: str) -> str | None:
    verdict = detector.detect(text)
    return verdict.scope.category if verdict.scope else None


def services(detector: ScopeDetector, text: str) -> tuple[str, ...] | None:
    verdict = detector.detect(text)
    return verdict.emergency.services if verdict.emergency else None


OUT_OF_SCOPE = [
    ("我跟我对象分居两年了，他把家里的存款都转走了", "civil_dispute"),
    ("我老公外面有小三了，家里钱都给她了", "civil_dispute"),
    ("离婚后前妻不让我探视孩子", "civil_dispute"),
    ("一审判了我输了，对方不执行", "legal_procedure"), ("我是被告，传票都到了", "legal_procedure"),
    ("上诉状交了，中院还没排期", "legal_procedure"), ("俺们哥仨分家，老大要多分", "civil_dispute"),
    # civil_dispute: debts, family property, private quarrels, deals between individuals
    ("借给亲戚的钱要不回来", "civil_dispute"),
    ("父亲留下的存款,我们姐弟几个意见不一,谁也不让谁", "civil_dispute"),
    ("俺跟俺婆婆合不来,她老挑我毛病", "civil_dispute"),
    ("来电人与对门邻居长期不和,希望热线出面主持公道", "civil_dispute"),
    ("合租的室友走的时候网费不管了,说不该他出", "civil_dispute"),
    ("两家孩子打闹磕坏了牙,医药费的事你们给断断", "civil_dispute"),
    # legal_procedure, military: said without the usual words
    ("劳动仲裁已经裁完了,公司又往上告,现在等着开庭", "legal_procedure"),
    ("那案子早就判给他了,法官偏心", "legal_procedure"),
    ("我对象在部队,说好过年休假,上面又不批假了", "military"),
    ("孩子说连长不让他们用手机,连电话都不让打", "military"),
    ("来电人反映营区附近部队夜间飞行训练噪音大。地址:大连市金州区。", "military"),
    ("我儿子是义务兵,想问问他探亲假一直不给批咋整", "military"),
    ("营房门口那个站岗的老拦着俺们不让走", "military"),
    ("法院把我家房子查封了,可欠钱的是我弟", "legal_procedure"),
    ("传票送到家了,说下周过堂", "legal_procedure"),
    ("去年就到信访局登记了,一直没人回话", "legal_procedure"),
    ("俺家亲戚借俺家的三轮子,要也不还", "civil_dispute"),
    ("楼上水管爆了泡了我家,他说不是故意的一分钱不想赔", "civil_dispute"),
    ("我小舅子从我这拿了五万块钱,说好半年还,现在电话都不接", "civil_dispute"),
    ("朋友欠钱不还", "civil_dispute"),
    ("我借给同学三万块钱,他现在把我拉黑了", "civil_dispute"),
    ("前女友借了我五千一直不还", "civil_dispute"),
    ("我老公要跟我离婚,孩子抚养权他非要争", "civil_dispute"),
    ("离婚以后前夫一直不给抚养费", "civil_dispute"),
    ("我和我弟因为老人留下的房子闹僵了", "civil_dispute"),
    ("结婚前男方说好的彩礼现在反悔了", "civil_dispute"),
    ("婆婆天天骂我,家里矛盾很大", "civil_dispute"),
    ("邻居家的树枝伸到我家院子里,两家吵起来了", "civil_dispute"),
    ("跟朋友合伙开饭店,他把钱卷走了", "civil_dispute"),
    ("从个人手里买的二手电动车,骑了两天就坏了,卖家不退", "civil_dispute"),
    # legal_procedure: already in litigation, arbitration, review or petition
    ("我们已经在打官司了", "legal_procedure"),
    ("法院已经立案了", "legal_procedure"),
    ("复议正在审", "legal_procedure"),
    ("判决下来了,对方就是不执行", "legal_procedure"),
    ("已经上访了,还没有结果", "legal_procedure"),
    ("这个事我已经向法院提起诉讼了", "legal_procedure"),
    ("劳动仲裁已经开庭了,想让你们催一下", "legal_procedure"),
    ("行政复议决定书下来了,我不服", "legal_procedure"),
    ("对方已经把我告了", "legal_procedure"),
    ("离婚官司已经在法院立案了,他还在转移财产", "legal_procedure"),  # court beats family
    # military: army and armed police jurisdiction
    ("部队的车天天占道停车", "military"),
    ("部队训练场打靶的声音太大了", "military"),
    ("军用机场的飞机噪音扰民", "military"),
    ("武警支队门口乱停车", "military"),
    ("驻军把我们村的地占了", "military"),
    # out_of_province: the matter is outside Liaoning
    ("这是河北廊坊那边的事", "out_of_province"),
    ("我在上海浦东买的房子,开发商延期交房", "out_of_province"),
    ("我老家山东临沂的宅基地被人占了", "out_of_province"),
    ("哈尔滨那边的社保局不给办", "out_of_province"),
    ("天津和平区的一个商家卖假货", "out_of_province"),
    ("北京朝阳那边的饭店吃坏了肚子", "out_of_province"),
    ("朝阳区的路灯坏了好几天了", "out_of_province"),  # 朝阳区 with nothing of Liaoning: 北京
    # summaries as agents write them (来电人反映:…)
    ("来电人反映:其借给朋友王某5万元,约定半年归还,现对方拒不还款。", "civil_dispute"),
    ("来电人反映:其父亲去世后,其继母拒绝分割遗产。", "civil_dispute"),
    ("来电人反映:其与邻居因院墙归属问题产生争执,要求协调。", "civil_dispute"),
    ("来电人反映:其劳动争议案件已于上月开庭审理,要求加快审理进度。", "legal_procedure"),
    ("来电人反映:其不服区政府的行政处罚决定,已向市政府申请行政复议。", "legal_procedure"),
    ("来电人反映:某部队营区外墙存在安全隐患,要求处理。", "military"),
    ("来电人反映:其在浙江省杭州市某网店购买商品后商家拒不退货。", "out_of_province"),
    # callers' own words
    ("我哥把爸妈的房子偷偷卖了,一分钱没给我们", "civil_dispute"),
    ("我把房子租给一个人,他欠了半年房租不交", "civil_dispute"),
    ("法院都判了,对方就是不给钱,执行局也不管", "legal_procedure"),
    ("我们这事儿都打到中院了,还没判下来", "legal_procedure"),
    ("部队的直升机天天低空飞,震得玻璃直响", "military"),
    ("我在广州打工,老板拖欠了我三个月工资", "out_of_province"),
    # broadened by class (2026-12): compensation between people, relatives by marriage, debts
    # by other verbs, procedures under way in other words, places named beside an origin
    ("楼上暖气漏水把我家天花板泡了,让他家赔,他家一直躲着不见", "civil_dispute"),
    ("隔壁装修把我家墙打裂了,找他们赔偿,他们说跟他没关系", "civil_dispute"),
    ("我帮我二舅垫付了医药费一万多,现在他不认了", "civil_dispute"),
    ("我婆婆去世以后,小姑子把老人存折里的钱都取走了", "civil_dispute"),
    ("我爸八十了,我哥我姐谁都不管,就推给我一个人", "civil_dispute"),
    ("我家的地让邻居给占了半垄,说他也不听", "civil_dispute"),
    ("我们已经去法院告他了,法院那边说排期呢", "legal_procedure"),
    ("仲裁那边已经出结果了,公司不履行", "legal_procedure"),
    ("仲裁申请交上去俩月了,没个信儿", "legal_procedure"),
    ("我对区政府的决定提起了行政诉讼,法院已经受理", "legal_procedure"),
    ("呃我们那旮瘩是吉林的白城,离辽宁不远,村里低保评得不公平", "out_of_province"),
    ("俺们那嘎达是赤峰的,镇上的卫生院乱收费", "out_of_province"),
    ("来电人反映其在大连工作,其户籍地河南省周口市某村委会违规收取费用。", "out_of_province"),
    ("我在沈阳住,但我在长春有套房子,那边物业乱收费", "out_of_province"),
    ("我从营口坐大巴去承德,那个客运站不给退票", "out_of_province"),
    ("我跟我老伴儿分开过了好几年了,现在她要分我的退休金", "civil_dispute"),
    ("我儿子儿媳妇不让我住家里,把我赶出来了", "civil_dispute"),
    ("表哥开车撞了我家的墙,到现在不给修", "civil_dispute"),
    # inside the army (military_internal), rent owed, neighbours refusing to pay, a case in petition
    ("我儿子在部队当兵 那个连长老骂他 还罚他站岗", "military"),
    ("俺家孩子今年刚入伍 新兵连那边不让打电话", "military"),
    ("诉求人称某部队靶场射击训练时间过长,枪声影响附近村民休息", "military"),  # no shooting
    ("我把房子租给一个小伙子 他欠我俩月房租跑了", "civil_dispute"),
    ("楼上住户水管爆裂把我家地板泡了,楼上住户不同意赔偿", "civil_dispute"),
    ("我上个月去信访局递了材料 他们给了我个受理告知书", "legal_procedure"),
    ("我那个劳动仲裁开了两回庭了 公司那边老申请延期", "legal_procedure"),
    ("律师说对面又提了那个管辖权异议 还得接着等", "legal_procedure"),
    ("我弟在那个中队当兵 武警的 打电话回来说让老兵欺负", "military"),
    ("我转业那事 部队到现在还不放人", "military"),
    ("来电人反映其报考军队文职人员，对资格审查结果有异议，要求复核。", "military"),
    ("我在三亚买那个房子 物业费涨得离谱 我人在大连 去不了 咋办", "out_of_province"),
    ("俺去年在龙口那个厂子干活 让机器压了手 厂里说不算工伤 俺现在回凤城了", "out_of_province"),
    ("那个就是说 我老公公走之前说那个门市房给我们家 现在小叔子拿着房本不撒手", "civil_dispute"),
    ("俺都上信访局去了两趟了 人家让等着", "legal_procedure"),
    ("从我表哥手里买的摩托车 骑了三天就坏了 他不给退钱", "civil_dispute"),
    ("来电人反映其与前妻离婚时约定存款归孩子，现前妻把钱取走，要求热线介入追回。", "civil_dispute"),
    ("俺把旧电动车卖给隔壁屯的一个人了 他骑了两天说坏了要退钱 你们给说句公道话", "civil_dispute"),
    ("跟同学凑钱开了个小卖店 年底分账他说没挣钱 俺觉得他做假账", "civil_dispute"),
    ("仲裁裁完了 公司不服又起诉到法院了 法院还没排期", "legal_procedure"),
    ("俺孩子在部队 来电话说让老兵欺负了", "military"),
    ("来电人反映其与妻子长期不和，婆婆偏袒儿子，要求热线工作人员出面调解。", "civil_dispute"),
    ("来电人称前夫拒绝其探视孩子，要求热线联系前夫履行离婚协议。", "civil_dispute"),
    ("诉求人称2022年将10万元借给好友张某，张某出具借条，至今只还了两千。", "civil_dispute"),
    ("诉求人反映其已于去年12月申请劳动仲裁，仲裁委尚未作出裁决，要求热线催促。", "legal_procedure"),
    ("河北保定有个工厂半夜排污，我亲戚住那边，我在沈阳帮他反映一下。", "out_of_province"),
    ("本人在湖北武汉某驾校报名，后因工作调回沈阳无法学车，驾校拒绝退费。", "out_of_province"),
]

IN_SCOPE = [
    # 部分居民 holds no 分居; asking how a lawsuit is brought
    "来电人反映清明节期间部分居民在小区绿化带内烧纸，要求加强管理。",
    "来电人咨询民间借贷纠纷向法院起诉的管辖法院及诉讼时效规定。",
    # family words across word boundaries: 小三轮, 部分家长, 文化遗产, 医院探视
    "我骑的小三轮被城管扣了，怎么要回来", "部分家长反映学校门口交通拥堵",
    "这个非物质文化遗产项目怎么申报", "医院探视时间是几点",
    # court words across words: 被告知, 统一审批, 最终审批, 高院墙, 家庭审计, 院中院
    "我去办低保被告知材料不全", "统一审批要多长时间", "最终审批结果什么时候出", "高院墙倒了砸了车",
    "家庭审计怎么做", "我们小区院中院停车难",
    "这是我的救命钱，公司不给退",  # 救命钱 is no cry for help
    "小区里有人杀鸡宰鸭，满地血和毛，埋汰死了", "俺想立个遗嘱，省得以后孩子们为房子打架，公证处在哪",
    "俺老家是山东的 在大连住二十年了 俺们小区电梯老坏", "借钱给别人不还，想去法院告他，法律援助咋申请",
    # asking about procedures is in scope
    "起诉需要什么材料",
    "亲戚借钱不还,我要是告他,诉讼费得交多少",
    "法院调解跟人民调解有啥区别",
    "中级法院执行局门口那段路井盖丢了",
    "武警营区门口那条街的路灯不亮",
    "被撞后交强险赔完了,医药费还差,能不能申请救助基金",
    "我以前上访过,现在申请低保会不会因为这个受影响",
    "离婚了,公积金贷款的房子去掉他的名,公积金中心那边咋办",
    "楼下开了个棋牌室,半夜吵,楼道里全是烟",
    "医院挂号挂不上,号都让号贩子抢了",
    "河边有条狗掉冰窟窿里了,在那扑腾",
    "燃气表被人撞了一下,不漏,想让燃气公司来看看",
    "我是鞍山铁东区的,不是四平那个,楼下下水道堵了",
    "怎么申请劳动仲裁",
    "信访局的地址在哪",
    "我想咨询一下离婚登记需要带什么材料",
    "遗产继承公证需要什么手续",
    "法院立案庭的电话是多少",
    "我想了解一下行政复议怎么申请",
    # military look-alikes: civil affairs and veterans
    "退役军人安置政策",
    "军属优待",
    "退伍军人的医保怎么交",
    "军人优待证在哪里办",
    "原来的部队家属院已经移交给地方了,现在楼道灯坏了没人修",
    # places: a Liaoning matter naming elsewhere
    "我在北京工作社保怎么转回沈阳",
    "北京烤鸭店卫生太差了",
    "兰州拉面馆门口占道经营",
    "河北大街的井盖丢了",
    "我们小区叫上海城,门口垃圾没人清",
    "我是吉林的,来沈阳打工,老板不给工资",
    "朝阳市双塔区的路灯坏了",
    "我在朝阳,小区门口的路灯坏了",
    "和平区的路灯坏了",
    "我在朝阳区,沈阳的供暖不达标",
    # civil look-alikes: matters with an administrative side
    "单位拖欠工资三个月不给",
    "物业不退装修押金",
    "装修公司拿了钱就跑了",
    "网购的商家不给退款",
    "邻居家装修太吵了,晚上十点还在干",
    "我借了银行的钱还不上了,有什么政策",
    # emergency look-alikes
    "上个月着过火想问理赔",
    "咨询120急救车收费",
    "楼道杂物堵了消防通道",
    "之前被打了想问验伤",
    "没着火",
    "不用报警",
    "万一着火了怎么办",
    "去年我家着火了,保险公司到现在不赔",
    "楼道里堆满了杂物,真要着火了人都出不去",
    "小区消防栓坏了没人修",
    "我们这个路口老出车祸,能不能装个红绿灯",
    "医院说我爸是脑梗,住院费怎么报销",
    "我想学点急救知识,心肺复苏怎么做",
    "燃气灶打不着火了,找谁修",
    "天然气费怎么这么贵",
    "暖气漏水了物业不管",
    "工厂烟囱天天冒黑烟",
    "昨天晚上楼下有人打架,吵得睡不着",
    "冬天烧煤取暖怎么预防煤气中毒",
    "我家孩子丢了学生证怎么补办",
    "烟雾报警器一直响",
    "没想到是这样",
    "来电人咨询:离婚后子女抚养费的标准。",
    "我想问问信访局周末上班吗",
    "我想问问起诉开发商需要什么证据",
    "我是军嫂,想问问随军落户的事",
    "我想给在部队的儿子寄东西,邮局说寄不了",
    "我想问问北京那边的医保在咱这能不能用",
    "我在深圳工作的时候交的社保,现在回大连了,怎么合并",
    "往来台湾通行证怎么办",
    "商场跳楼价大甩卖",
    "我已经报警了,派出所来人看了,说让我打你们这个电话",
    "那边有人晕倒了,后来120拉走了",
    "孩子在学校被打了,老师也不管",
    "来电人反映:小区燃气管道老化锈蚀严重,要求燃气公司检修更换。",
    # negation, past, hypothetical and look-alike wording (2026-12)
    "刚才以为着火了,其实是邻居家在烧烤,虚惊一场",
    "报警器老响,也没着火,燃气公司来看过说没漏",
    "厨房着了点火,我自己浇灭了,现在就是想问问油烟机能不能保修",
    "我在路上撞见城管打人了,就前几天",
    "我的手机充电的时候冒烟了,售后说不给换",
    "我家猫从阳台掉下去了,不知道还活着没",
    "大石桥那个拉矿的车,把我们村道压得稀碎",
    "我们这片儿暖气不热,屋里才十四五度,老人孩子都冻得不行",
    "我们不是部队的,就是普通小区,叫八一小区",
    "我看新闻说法院有那个诉前调解,是咋回事儿,收费不",
    "我在北京上班,老家铁岭的,我妈那边村里的路灯坏了半年了",
    "我是从天津嫁过来的,在盘锦住,小区垃圾没人清",
    "我是吉林的,在大连上班,单位俩月不给开工资",
    "去年山上有火,烧了一大片林子,现在还没人补种",
    "前面有两台车刮了,交警已经到了",
    "我上个月反映的问题,希望你们跟踪了解一下处理进度",
    "我借了朋友的钱想还他,但是联系不上他了,想问问能不能提存",
    "我想去部队医院体检,怎么预约",
    "我借给朋友钱他不还 我打算下个月去法院起诉 立案都得带啥",  # asking how to sue
    "来电人称离婚判决已生效多年,咨询变更户口簿婚姻状况的办理方式。",
    "诉求人咨询合伙企业注销登记的办理流程。",
    "诉求人称其前日拨打110报警后出警民警处置敷衍,诉求调查。",
    "我退休了在三亚过冬 大连这边的医保卡咋续费",  # the caller stays there; the matter is here
    "离婚官司早判完了 现在想问房本上的名字怎么更名",
    "来电人反映其子服役期间训练受伤，咨询伤残等级评定的标准。",
    "家里那个燃气灶用了十几年了 老担心它漏气 能不能上门检查",
    "楼下饭店的油烟往俺家灌 跟老板吵过好几回 环保管不管",  # a quarrel with a shop: a nuisance
    "离婚判决早就生效了，现在给孩子办户口迁移需要啥材料",  # a case over, an administrative step
    "来电人反映：其劳动仲裁已结案，现需办理社保补缴，咨询流程。",
    "来电人反映：其在北京某公司沈阳分公司任职，分公司拖欠工资，诉求督促支付。",
    "在中街买的新疆葡萄干缺斤短两",
    "那个路口路灯不亮 早晚得出车祸",
    "两家烧烤店跟打架似的抢客人 把人行道都占了",
    "业主群里为车位吵得就差打起来了 物业也不公开分配方案",
    "有人冒充医院打电话说俺闺女出车祸了让转钱 这种诈骗上哪举报",
    "小区的树让大风刮倒了 砸了一台车 没人受伤 园林啥时候来",
    "来电人称曾目睹该路段多起剐蹭事故，诉求增设护栏。",
    "诉求人咨询市信访局的办公地址、接待时间以及网上信访渠道。",
    "标题：车棚火灾后续处理 内容：上周车棚电动车起火，消防已扑灭，烧毁的车棚无人清理。",
    "我父亲突发脑梗，拨打120后救护车40分钟才到，延误了抢救，现在已出院，想投诉急救中心。",
]

EMERGENCIES = [
    # as frightened callers put them
    ("我爷爷叫他也不答应,嘴唇发紫", ("120",)),
    ("楼下有人拿刀砍人，血淌一地了", ("110", "120")), ("工地塌方了，埋进去俩人", ("119", "120")),
    ("公交车上有个男的一直偷摸别人包，车还在开", ("110",)),
    ("孩子让热油烫着了,哭个不停", ("120",)),
    ("屋里冒烟了,孩子一个人在家开不开门", ("119",)),
    ("有人往我家门口泼了汽油点着了", ("110", "119")),
    ("我爸正在要给说是检察院的人转账,谁劝都不听", ("110",)),
    ("我叫司机停他不停,一直往郊区开", ("110",)),
    ("放羊的老汉摔到山沟底下了", ("119", "120")),
    ("孩子从窗户爬出去挂在空调架上了,快扒不住了", ("119",)),
    ("我妈吃着饭嘴突然歪了,说话也说不清", ("120",)),
    ("三辆车在收费站连环撞了", ("122",)),
    ("有人把俺家柴火垛给点了,火还在烧", ("110", "119")),
    ("喝酒那桌打起来了,有个人让酒瓶子开了瓢", ("110", "120")),
    ("有人要跳楼", ("110",)),
    ("有人溺水", ("110", "120")),
    ("闻到很大的煤气味", ("119",)),
    ("老人摔倒了不能动", ("120",)),
    ("我爸好像心梗了", ("120",)),
    ("人昏迷了", ("120",)),
    ("车撞了人", ("120", "122")),
    ("快来人啊,我家着火了", ("119",)),
    ("楼下饭店后厨起火了,烟特别大", ("119",)),
    ("家里天然气好像漏了", ("119",)),
    ("我爸突然晕倒了,叫不醒", ("120",)),
    ("孩子高烧抽搐了", ("120",)),
    ("小孩掉进冰窟窿里了", ("110", "120")),
    ("楼下两伙人打起来了", ("110",)),
    ("我老公喝多了又打我,我现在躲在厕所里", ("110",)),
    ("我家进贼了,人还在屋里", ("110",)),
    ("高速上追尾了,三车连撞", ("122",)),
    ("电动车在楼道里充电着了", ("119",)),
    ("我不想活了", ("110",)),
    ("有人触电了", ("120",)),
    ("电梯卡住了,里面有人出不来", ("119",)),
    ("没想到家里着火了", ("119",)),  # 没想到 is not a negation
    # several services at once
    ("家里着火了,有人受伤", ("119", "120")),
    ("有人拿刀在街上砍人,已经砍伤两个了", ("110", "120")),
    ("刚才有辆车把一个骑电动车的撞倒了,人躺地上不动", ("120", "122")),
    ("工地塌方了,有人被埋了", ("119", "120")),
    ("外面有一股特别大的燃气味,整个单元都能闻见", ("119",)),  # 特别 is no negation
    ("我爸血压二百多,头疼得要炸了,说话都不清楚了", ("120",)),  # 要炸了 is no explosion
    ("我闺女放学到现在还没到家,电话也打不通", ("110",)),
    ("我被人关在屋里出不去了", ("110",)),
    ("有人掉进化粪池里了", ("119", "120")),
    ("河里有个人在扑腾,好像不会游泳", ("110", "120")),
    ("来电人反映:某商场门口发生持刀伤人事件,一名男子受伤倒地。", ("110", "120")),
    ("来电人反映:某路口两辆私家车发生剐蹭,双方争执不下,造成道路拥堵。", ("122",)),
    # unusual wording (2026-12)
    ("电梯停在两层中间了,里面关着三个人", ("119",)),
    ("暴雨把我们家淹了,水都到腰了,老人出不去", ("119",)),
    ("我们几个在山上迷路了,天黑了,手机快没电了", ("119",)),
    ("燃气表那块儿呲呲的响,一股臭鸡蛋味儿", ("119",)),
    ("我手让机器给绞进去了,手指头断了", ("120",)),
    ("孩子把一瓶消毒液喝了", ("120",)),
    ("来电人称其母亲在家中突然意识丧失,呼之不应。", ("120",)),
    ("刚才我的车被后面的车追了尾", ("122",)),
    ("前面两辆大货车顶一块儿了,堵了整条道", ("122",)),
    ("有个男的把一个女的往车里拽,女的一直喊", ("110",)),
    ("有个醉汉拿酒瓶子把人脑袋打破了,还在那闹", ("110", "120")),
    ("诉求人称一辆货车撞倒一名行人后驶离。", ("120", "122")),
    ("厨房煤气罐炸了,我老公脸上全是血", ("119", "120")),
    ("对面山上有火,烧了一大片了", ("119",)),
    ("孩子把硬币吞下去了", ("120",)),
    ("我被人跟踪了好几条街,现在在超市里躲着", ("110",)),
    ("前面两台车亲上了,就在十字路口", ("122",)),
    ("我刚才在路口跟一辆出租车剐了 人都没事 就是车动不了 堵着道呢", ("122",)),
    ("来电人称其驾车将一名横穿马路的老人撞倒,老人现无法站立。", ("120", "122")),
    ("来电人称其正被一名男子尾随,对方手持棍棒", ("110",)),
    ("我闺女放学没回来 刚才有个人打电话说要钱才放人", ("110",)),
    ("诉求人称其父亲有心脏病史,现胸痛剧烈,大汗淋漓。", ("120",)),
    ("来电人称有一名幼儿被反锁在停放的轿车内,孩子哭闹不止。", ("119",)),
    ("我儿子在商场门口 一眨眼就不见了 五岁", ("110",)),
    ("有个女的让俩人拽上一辆白车了 往东开走了", ("110",)),
    ("快来 我被他们关在仓库里了", ("110",)),
    ("我爸把一盒安眠药吃了一盒 现在叫不醒", ("120",)),
    ("锅着了 我手让火燎了 起了好几个泡", ("119", "120")),
    ("三台车追尾了 司机卡在车里出不来 一直喊救命", ("119", "120", "122")),
    ("冰面裂了 俺哥掉下去了", ("110", "120")),
    ("国道上一辆货车侧翻压住一辆小轿车，车里有人受伤", ("120", "122")),
    ("有辆车逆行撞到隔离栏了，横在路中间，司机没受伤", ("122",)),
    ("我被几个人关在出租屋里不让走，手机也被拿走了", ("110",)),
]


@pytest.mark.parametrize(("text", "expected"), OUT_OF_SCOPE)
def test_out_of_scope_matters(detector: ScopeDetector, text: str, expected: str) -> None:
    verdict = detector.detect(text)
    assert verdict.scope is not None and verdict.scope.category == expected, verdict
    assert verdict.emergency is None


@pytest.mark.parametrize("text", IN_SCOPE)
def test_look_alikes_stay_in_scope_and_calm(detector: ScopeDetector, text: str) -> None:
    assert detector.detect(text) == ScopeVerdict(), text


@pytest.mark.parametrize(("text", "expected"), EMERGENCIES)
def test_emergencies_with_every_service(detector: ScopeDetector, text: str,
                                        expected: tuple[str, ...]) -> None:
    verdict = detector.detect(text)
    assert verdict.emergency is not None and verdict.emergency.services == expected, verdict
    assert verdict.scope is None  # an emergency is reported alone


@pytest.mark.parametrize(("text", "cue"), [
    ("家里没着火", "negation"), ("没有人受伤", "negation"), ("暂无人员受伤", "negation"),
    ("不用报警,我就问问", "negation"), ("上个月家里着火了", "past"), ("着过火", "past"),
    ("前两天路口出了个车祸", "past"), ("万一着火了怎么办", "hypothetical"),
    ("担心电线老化会着火", "hypothetical"), ("小区有火灾隐患", "drill"),
    ("消防演练的时候有人晕倒了吗", "drill"), ("被打了想去验伤", "inquiry"),
    ("着火以后保险怎么理赔", "inquiry"), ("那个烟囱老冒黑烟", "habitual"),
])
def test_cues_cancel_an_emergency(detector: ScopeDetector, text: str, cue: str) -> None:
    assert detector.detect(text).emergency is None, cue


def test_the_same_event_outside_the_cue_still_counts(detector: ScopeDetector) -> None:
    # the negation belongs to its own clause: the fire in the next one is real
    assert services(detector, "没人受伤,但是楼下着火了") == ("119",)
    assert services(detector, "之前打过电话没人管,现在家里着火了") == ("119",)


def test_matched_text_and_offsets_are_in_the_original(detector: ScopeDetector) -> None:
    text = "楼道里 着 火了,有烟"
    verdict = detector.detect(text)
    assert verdict.emergency is not None
    emergency = verdict.emergency
    assert emergency.matched == "着 火" == text[emergency.start:emergency.end]
    assert emergency.labels == ("火警",)
    text = "我们  已经在打官司了"
    scope = detector.detect(text).scope
    assert scope is not None and scope.rule == "procedure_perfective"
    assert scope.matched == text[scope.start:scope.end] and scope.matched.startswith("已经")
    assert scope.label.startswith("已进入诉讼") and "{surname}" in scope.reply


def test_traditional_and_full_width_text(detector: ScopeDetector) -> None:
    assert services(detector, "我家著火了") == ("119",)
    assert services(detector, "廚房煤氣洩漏了") == ("119",)
    assert category(detector, "我們已經在打官司了") == "legal_procedure"
    assert services(detector, "有人溺水!!!") == ("110", "120")


def test_overlapping_events_give_one_span_with_every_label(detector: ScopeDetector) -> None:
    verdict = detector.detect("车撞了人")
    assert verdict.emergency is not None
    assert verdict.emergency.matched == "车撞了人"
    assert verdict.emergency.services == ("120", "122")
    assert set(verdict.emergency.labels) == {"交通事故", "交通事故伤人"}


def test_emergency_script_names_every_service(detector: ScopeDetector) -> None:
    verdict = detector.detect("家里着火了,有人受伤")
    assert verdict.emergency is not None
    script = detector.script(verdict.emergency, {"surname": "张", "honorific": "女士"})
    assert script.startswith("张女士,") and "请您立即拨打119、120" in script


def test_gazetteer_ambiguity(detector: ScopeDetector) -> None:
    assert category(detector, "朝阳区有个饭店卫生很差") == "out_of_province"
    assert category(detector, "北京朝阳区有个饭店卫生很差") == "out_of_province"
    assert category(detector, "辽宁朝阳区有个饭店卫生很差") is None  # Liaoning context
    assert category(detector, "朝阳有个饭店卫生很差") is None  # the city of 朝阳
    assert category(detector, "朝阳县有个饭店卫生很差") is None
    assert category(detector, "和平区有个饭店卫生很差") is None  # 沈阳's
    assert category(detector, "天津和平区有个饭店卫生很差") == "out_of_province"


def test_where_the_matter_happens(detector: ScopeDetector) -> None:
    # a Liaoning place beside an outside one keeps the matter here...
    assert category(detector, "我在沈阳买的房子,开发商是北京的,现在不交房") is None
    assert category(detector, "天津的公司在营口开的分店,欠我们工资不给") is None
    # ...unless something happens at the outside place only
    assert category(detector, "我们是沈阳的,在北京朝阳区一个商户买的手机坏了不给退") == "out_of_province"
    assert category(detector, "来电人反映:吉林省四平市某小区供暖不达标,来电人现居住在铁岭。") \
        == "out_of_province"
    # 这边 after an outside place is that place, not here
    assert category(detector, "我在天津这边上班,单位不给交社保") == "out_of_province"
    assert category(detector, "我在这边上班,单位不给交社保") is None
    # where the caller is, beside a Liaoning matter; not what the caller has there
    assert category(detector, "我在深圳打工,想问问大连的房子物业费能不能网上交") is None
    assert category(detector, "我儿子在上海上大学,户口在鞍山,回来考需要啥手续") is None
    assert category(detector, "我在沈阳住,我在哈尔滨有套房子,物业乱收费") == "out_of_province"
    assert category(detector, "俺们都是本溪过去的,在通辽干活,老板不给工钱") == "out_of_province"
    assert category(detector, "俺们原来是抚顺的,后来搬到长春去了,那边暖气不热") == "out_of_province"
    assert category(detector, "我现在在大连,郑州那边的老房子征收补偿太低") == "out_of_province"
    assert category(detector, "我在深圳打工,公司没给交社保,我户口是铁岭的") == "out_of_province"
    # words that only hold a place name
    assert category(detector, "医保定点医院有哪些") is None
    assert category(detector, "北京人社局的电话") == "out_of_province"  # 人社局 is not 北京人


def test_a_county_by_its_bare_name_needs_a_cue(detector: ScopeDetector) -> None:
    assert category(detector, "彭水那边我姥姥的高龄补贴给停了") == "out_of_province"
    assert category(detector, "俺们老家是会宁，家里新农合今年又涨了") == "out_of_province"
    assert category(detector, "安溪的茶叶店卖给我假茶叶") is None  # no cue: 安溪 alone is not enough
    assert category(detector, "会宁县的新农合今年又涨了") == "out_of_province"  # the full name
    assert category(detector, "燃气公司来安全检查，说管子锈了让换，收费八百") is None  # 来安
    assert category(detector, "会宁可不可以网上办") is None
    # a rare word in jieba's dictionary is a county name too (固安); one that runs into common
    # words is left out (会理 in 会理赔)
    assert category(detector, "我在固安那边买的房 开发商一直不交房") == "out_of_province"
    assert category(detector, "车险现在会理赔吗 我在沈阳") is None


def test_a_bare_county_name_listed_twice_names_its_line(folder: Path) -> None:
    gazetteer = folder / "gazetteer.yaml"
    text = gazetteer.read_text(encoding="utf-8")
    region = text[text.index("outside_bare:"):].splitlines()[1]
    line = replace_in(gazetteer, region, region.replace(": [", ": [北京, ", 1))
    with pytest.raises(DataFileError, match="'北京' is listed as a place already") as error:
        load_scope(folder)
    assert error.value.path == gazetteer and error.value.line == line


def test_json_shape_and_an_empty_verdict(detector: ScopeDetector) -> None:
    assert not detector.detect("") and not detector.detect("  ,。 ") and not detector.detect("咨询社保")
    verdict = detector.detect("朋友欠钱不还")
    assert verdict
    body = verdict.as_json()
    assert body["emergency"] is None
    assert body["scope"]["category"] == "civil_dispute"  # type: ignore[index]
    assert body["scope"]["reply"].startswith("先生/女士,")  # type: ignore[index]
    assert detector.detect("有人溺水").as_json() == {
        "scope": None, "emergency": {"services": ["110", "120"], "matched": "溺水"}}


def test_every_rule_is_reached_through_its_literal_factors(detector: ScopeDetector) -> None:
    """No rule is tried on every keystroke: each has literals one of which a match contains."""
    assert detector.always_tried == []
    assert required_factors("(?:着|起)了?火") == frozenset({"着火", "起火", "着了火", "起了火"})
    assert required_factors("借给?[^，]{0,8}钱") == frozenset({"钱"})
    assert required_factors("(?:已经|正在)[^，]{0,4}(?:起诉|立案)") in (
        frozenset({"已经", "正在"}), frozenset({"起诉", "立案"}))
    assert required_factors(".{2}") is None


def test_detection_is_fast(detector: ScopeDetector) -> None:
    text = ("市民反映小区供暖温度不达标,室温只有十四度,邻居借钱不还,已经起诉了,上个月着过火"
            "想问理赔,家里着火了有人受伤,这是河北廊坊那边的事," * 10)[:500]
    timings = []
    for _ in range(300):
        started = time.perf_counter()
        detector.detect(text)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.001  # per 500 characters, on every keystroke


# -- data errors name the file and the line ------------------------------------------------------
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "scripts_phrases"
    shutil.copytree(SHIPPED_SCRIPTS_PHRASES, target)
    return target


def replace_in(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in `path`; the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old):], encoding="utf-8")
    return text.count("\n", 0, index) + 1


def test_a_malformed_regex_names_the_file_and_line(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", "pattern: '放火|纵火'", "pattern: '放火|(纵火'")
    with pytest.raises(DataFileError) as error:
        load_scope(folder)
    assert error.value.path == folder / "scope.yaml" and error.value.line == line
    assert "bad regular expression" in str(error.value) and f"scope.yaml:{line}:" in str(error.value)


def test_an_unknown_category_names_the_file_and_line(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", "category: military", "category: army")
    with pytest.raises(DataFileError, match="unknown category 'army'") as error:
        load_scope(folder)
    assert error.value.line == line


def test_an_unknown_fragment_or_cue_names_the_line(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", "pattern: '{{military}}'", "pattern: '{{soldiers}}'")
    with pytest.raises(DataFileError, match="unknown fragment") as error:
        load_scope(folder)
    assert error.value.line == line
    replace_in(folder / "scope.yaml", "pattern: '{{soldiers}}'", "pattern: '{{military}}'")
    line = replace_in(folder / "scope.yaml", "unless: [procedure_not_yet, scam,",
                      "unless: [procedure_not_yet, spam,")
    with pytest.raises(DataFileError, match="unknown cue 'spam'") as error:
        load_scope(folder)
    assert error.value.line == line


def test_a_bad_service_or_empty_pattern_is_refused(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", 'services: ["122"]', 'services: ["911"]')
    with pytest.raises(DataFileError, match="services must be") as error:
        load_scope(folder)
    assert error.value.line == line
    replace_in(folder / "scope.yaml", 'services: ["911"]', 'services: ["122"]')
    line = replace_in(folder / "scope.yaml", "pattern: '放火|纵火'", "pattern: '(?:放火)?'")
    with pytest.raises(DataFileError, match="matches an empty text") as error:
        load_scope(folder)
    assert error.value.line == line


def test_malformed_yaml_names_the_line(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", "rules:\n", "rules: [\n")
    with pytest.raises(DataFileError, match="malformed YAML") as error:
        load_scope(folder)
    assert error.value.line is not None and error.value.line >= line


def test_a_duplicated_key_names_its_line(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", "    category: military\n",
                      "    category: military\n    category: military\n") + 1
    with pytest.raises(DataFileError, match="duplicate key 'category'") as error:
        load_scope(folder)
    assert error.value.line == line


def test_a_list_of_words_holds_no_pattern(folder: Path) -> None:
    line = replace_in(folder / "scope.yaml", "  money: [钱,", "  money: ['(?:钱)', 钱,")
    with pytest.raises(DataFileError, match="'money' is a list of plain words") as error:
        load_scope(folder)
    assert error.value.line == line


def test_a_place_on_both_sides_must_say_which_it_means(folder: Path) -> None:
    gazetteer = folder / "gazetteer.yaml"
    line = replace_in(gazetteer, "  河北: [河北, 河北省,", "  河北: [河北, 河北省, 浑南区,")
    with pytest.raises(DataFileError, match="'浑南区' is in 'liaoning' and 'outside'") as error:
        load_scope(folder)
    assert error.value.path == gazetteer and error.value.line == line


def test_the_shipped_rules_cover_every_category(detector: ScopeDetector) -> None:
    rules = detector.rules
    assert [c.id for c in rules.not_accepted] == ["legal_procedure", "military",
                                                  "out_of_province", "civil_dispute"]
    assert {c.id for c in rules.not_accepted} == set(CATEGORIES)
    assert {r.category for r in rules.rules} == set(CATEGORIES) - {"out_of_province"}
    assert sorted(rules.services) == ["110", "119", "120", "122"]
