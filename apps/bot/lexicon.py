"""Words the bot treats specially, folded as ``text.fold`` folds them (lower case, Turkish
letters as their plain Latin look-alikes: "teşekkürler" is "tesekkurler").

These are properties of the two languages, not of any knowledge base: function words that say
nothing about a topic, the words of small talk, and the words of asking for a person.
"""


def _words(value: str) -> frozenset[str]:
    return frozenset(value.split())


STOPWORDS = _words(
    """
    a an the and or but if then so to of in on at by for from with about as into onto over
    i me my mine myself we us our ours you your yours he him his she her it its they them their
    is am are was were be been being do does did done doing have has had having will would
    shall should can could may might must this that these those there here what which who whom
    whose when where why how not no yes ok okay please pls plz just also too very really
    any some all get got hi hello hey thanks thank s t m d ll re ve im dont cant
    want wanted wants need needed needs like know tell let lets one
    u ur ya guys anyone anybody anything something somethin thing things nothing
    now right way ways still already yet anyway anyhow actually maybe perhaps possible
    ago since last next again ever even only much many more most lot lots bit kind sort
    whats wat whn able going gonna wanna gotta trying try tried say said says ask asking
    asked find quick quickly soon asap help

    ve ile veya ya da de da ki mi mu mi mudur midir misiniz miyim musunuz musun misin
    miyiz muyuz muyum varmi yokmu
    bir bu su o ben sen biz siz onlar bana sana bize size beni seni bizi sizi benim senin
    bizim sizin onun bunu bunun bunda bundan buna sunu sunun onu ona ondan onda oraya orada
    oradan buraya burada buradan biri birini birisi birine bende sende bizde sizde
    nasil ne neden nicin nerede nerde nereden nerden nereye hangi kim kac zaman
    icin gibi kadar daha cok en her hic ama fakat ancak ise acaba lutfen rica ederim
    var yok degil evet hayir tamam olur oldu olan olarak olmak oluyor olsun olabilir
    diye yani sey seyi sadece bile zaten artik hala simdi hemen falan filan felan
    acil sanirim galiba herhalde aslinda mesela biraz baya bayagi gercekten yardim yardimci
    lazim lazm gerek gerekiyor gerekir gerekli istiyorum istiyoruz isterim isterdim
    istedim yapabilir yapabilirim yapabilir miyim yapmak yapmam yapiyor yapiyoruz yapilir
    edebilir edebilirim ederim etmek etmem etmemiz eder ediyor ediyorum
    merhaba selam
    """
)

GREETINGS = _words(
    """
    hi hello hey hiya howdy yo morning evening afternoon good there
    merhaba merhabalar selam selamlar slm mrb gunaydin iyi gunler aksamlar sabahlar
    kolay gelsin naber nasilsiniz nasilsin
    """
)

THANKS = _words(
    """
    thanks thank thx ty tysm cheers appreciated appreciate great perfect awesome nice cool
    ok okay alright fine understood helpful helped lot much so very been
    tesekkur tesekkurler tesekkurederim tesekkurlerr tsk tskler tskr tsk sagol sagolun saol
    sag ol sagolasin eyv eyvallah harika super guzel mukemmel tamam tamamdir tmm tamamdr
    peki anladim anlasildi yardiminiz oldunuz oldun ilginiz cok
    """
)

GOODBYES = _words(
    """
    bye goodbye byebye cya later see you take care
    gorusuruz gorusmek uzere hoscakal hosca kal hoscakalin geceler
    kendine kendinize bak bakin
    """
)

# Asking for a person: a word for a person together with a word for reaching one, or one of
# the phrases that say it alone. Words match by their beginning ("temsilci" matches
# "temsilcinize"), so each is long enough not to begin an unrelated word.
PERSON_STEMS = tuple(
    _words(
        """
    person human agent someone somebody representative operator staff employee
    insan temsilci yetkili birisi biriyle kisiyle calisan
    """
    )
)
REACH_STEMS = tuple(
    _words(
        """
    talk speak chat connect transfer reach contact escalat want need
    konus gorus bagla baglan aktar ulas iste
    """
    )
)
PERSON_PHRASES = (
    "real person",
    "live agent",
    "live person",
    "live support",
    "live chat agent",
    "human please",
    "a human",
    "customer representative",
    "canli destek",
    "canli desteg",  # desteğe, desteğin: the k softens before a vowel
    "canli temsilci",
    "canli biri",
    "gercek kisi",
    "gercek bir kisi",
    "gercek bir insan",
    "musteri temsilci",
    "musteri hizmetlerine bagla",
)

# Asking about the team rather than for it ("what are your live support hours?", "canlı destek
# saatleri nedir"): a question about when people are there names them without asking for one.
# Such a question goes to the knowledge base unless it also has a word for reaching one.
SCHEDULE_STEMS = tuple(
    _words(
        """
    hour when time schedule open weekend weekday
    saat zaman kacta mesai acik haftasonu haftaici
    """
    )
)

# Telling the bot what to be or do instead of asking the shop something ("ignore your
# instructions", "sistem talimatlarını unut"). A sentence with one of these says nothing the
# knowledge base answers. Words match as ``concepts`` members do: by their beginning from four
# letters, whole below that.
INSTRUCTION_PHRASES = (
    "ignore",
    "disregard",
    "system prompt",
    "your prompt",
    "your instructions",
    "previous instructions",
    "the instructions",
    "developer mode",
    "dev mode",
    "jailbreak",
    "you are now",
    "from now on",
    "pretend",
    "act as",
    "no rules",
    "your rules",
    "the rules",
    "verbatim",
    "admin panel",
    "admin password",
    "talimat",
    "sistem mesaj",
    "sistem komut",
    "kurallari",
    "kurallarini",
    "yok say",
    "gormezden gel",
    "gelistirici mod",
    "yonetici panel",
    "admin panel",
    "artik sen",
    "gibi davran",
    "rolunu unut",
)
