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
    want wanted need needed like know tell let lets one

    ve ile veya ya da de da ki mi mu mi mudur midir misiniz miyim musunuz musun misin
    bir bu su o ben sen biz siz onlar bana sana bize size beni seni bizi sizi benim senin
    bizim sizin onun nasil ne neden nicin nerede nereden nereye hangi kim kac zaman
    icin gibi kadar daha cok en her hic ama fakat ancak ise acaba lutfen rica ederim
    var yok degil evet hayir tamam olur oldu olan olarak olmak oluyor
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
    thanks thank thx ty cheers appreciated appreciate great perfect awesome nice cool ok okay
    lot much so very
    tesekkur tesekkurler tesekkurederim tsk tskler sagol sagolun cok
    eyvallah harika super guzel mukemmel tamam
    """
)

GOODBYES = _words(
    """
    bye goodbye cya later see you take care
    gorusuruz hoscakal hosca kal hoscakalin
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
    "canli temsilci",
    "canli biri",
    "gercek kisi",
    "gercek bir kisi",
    "gercek bir insan",
    "musteri temsilci",
    "musteri hizmetlerine bagla",
)
