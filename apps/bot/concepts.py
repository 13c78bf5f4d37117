"""A small thesaurus of customer-support words, in English and Turkish, folded as ``text.fold``
folds them: words that mean the same thing to a customer ("send back", "return", "iade";
"subscription", "abonelik") share a concept, so a question and an entry match across synonyms
and across the two languages.

It describes the language of shopping, of software sold by subscription and of support, not
any one knowledge base. A word matches a member by its beginning (members of four letters or
more: "iade" matches "iadesini"); a two-word member matches two words in a row. A member must
not begin another common word of another meaning ("mobil" begins "mobilya", so the app is
"mobil uygulama").
"""

_GROUPS = {
    "return": "return send_back sent_back sending_back give_back giving_back hand_back mail_back "
    "post_back posting_back ship_back take_back taking_back bring_back go_back goes_back iade "
    "geri_gonder geri_yolla geri_postala geri_ver geri_veri geri_vere geri_getir geri_al geri_alir "
    "geri_alin geri_kargo",
    "refund": "refund money_back reimburs credited_back para_iade geri_odeme parami paranin "
    "paramin param ucret_iade geri_yuklen geri_yat geri_yata geri_yati hesabima_gec hesabima_gect "
    "hesabima_gece hesabima_gecm kartima_gec kartima_gect kartima_gece kartima_gecm iadem",
    "exchange": "exchange swap switch replace trade_it degisim takas",
    "change": "change modify update edit adjust amend alter degistir degisik guncelle duzenle",
    "order": "order purchase bought buy siparis alisveris satin aldig aldim",
    "cancel": "cancel undo call_off my_mind iptal vazgec",
    "track": "track where_is where_s wheres whereabouts status takip hangi_asama asama durumu "
    "nerede nerde",
    "shipping": "shipping ship deliver delivery courier cargo post parcel package dispatch kargo "
    "teslimat gonder gonderi gonderim paket kurye yolla yollu yollar yurtici aras_kargo mng ptt "
    "ups dhl fedex",
    "fee": "cost fee price charge expensive ucret fiyat masraf tutar how_much ne_kadar kac_lira",
    "minimum": "minimum threshold spend en_az alt_limit limit",
    "free": "free no_charge for_nothing ucretsiz bedava parasiz",
    "pay": "pay payment paid paying odeme odedi odeyebil odem oden odey oduyor paypal papara "
    "google_pay apple_pay",
    "installment": "installment instalment spread split_the monthly taksit aylik vade faiz "
    "interest_free pay_later bolerek bolebil",
    "card": "card kart visa mastercard maestro amex troy bonus_card axess paraf cardfinans",
    "transfer": "bank transfer wire_transfer havale eft iban",
    "invoice": "invoice bill receipt fatura e_fatura tax_number vergi_no vergi_numara",
    "address": "address adres moving move_house moved new_place new_home new_flat relocat tasin "
    "located location konum semt",
    "account": "account profile sign_up signup register membership hesap uyelik uye_ol kayit_ol "
    "kaydol",
    "guest": "guest_checkout without_account without_an without_registering without_signing "
    "uye_olmadan uyeliksiz kayit_olmadan",
    "password": "password passcode login log_in sign_in locked_out reset parola sifre giris "
    "sifirla",
    "email": "email e_mail mail eposta e_posta",
    "delete": "delete remove erase close_my sil silin silme siler silebil kapat",
    "store": "store shop branch showroom outlet in_person physical magaza sube dukkan",
    "hours": "hours opening open_until open_on close_at closing closes close what_time saat acik "
    "acili kacta kapani kapanis weekday hafta_ici",
    "weekend": "weekend saturday sunday hafta_sonu cumartesi pazar",
    "sameday": "same_day today tonight by_tonight express ayni_gun bugun aksama hizli_teslim "
    "ekspres",
    "gift": "gift present hediye",
    "wrap": "wrap wrapping paketle ambalaj gift_message hediye_not not_kart kurdele ribbon",
    "discount": "discount coupon promo code voucher sale deal kampanya indirim kupon kod kodu "
    "kodum",
    "pricedrop": "price_drop price_dropped price_went price_fell price_protection difference "
    "went_on cheaper fiyati_dus fiyati_dust fiyati_duse fiyat_dus fiyat_dust fiyat_duse "
    "fiyat_farki farki ucuzla indirime_gir indirime_gird indirime_gire indirime_girm",
    "first": "first_order first_time first_purchase new_customer welcome ilk_siparis ilk_alisveris "
    "yeni_musteri hos_geldin",
    "damage": "damage broke smash crack shatter chipped dented scratched torn ripped kirik kiril "
    "hasar bozuk catla cizik cizil ezik ezilm yirtik defolu",
    "malfunction": "stopped_working stop_working stops_working not_working doesn_work didn_work "
    "isn_working faulty defect ariza calismiyor calismaz calismadi bozul",
    "missing": "missing lost incomplete only_got only_received eksik kayip",
    "wrong": "wrong incorrect mistake mistaken yanlis",
    "warranty": "warranty guarantee repair garanti tamir onarim",
    "stock": "stock sold_out available unavailable restock stok tukendi tuken",
    "size": "size dimension measure bigger smaller larger too_small too_big fit fits beden olcu "
    "boyut kucuk_geldi buyuk_geldi dar_geldi bol_geldi",
    "colour": "colour color renk",
    "material": "material fabric cotton linen polyester bamboo made_of kumas pamuk keten bambu",
    "late": "late delay overdue still_not still_waiting still_nothing not_arrived hasn_arrived "
    "hasn_come haven_received didn_arrive didn_come never_arrived never_came taking_long "
    "taking_forever hasn_shown not_shown still_hasn still_haven gecik gelmedi ulasmadi bekliyorum "
    "hala_gelmedi haftadir gundur",
    "abroad": "abroad international overseas foreign worldwide outside_turkey country countries "
    "ulke yurt_disi yurtdisi yabanci eu ab europe avrupa germany german almanya alman france "
    "french fransa fransiz netherlands dutch holland hollanda austria avusturya spain spanish "
    "ispanya italy italian italya belgium belcika switzerland isvicre sweden isvec norway norvec "
    "denmark danimarka poland polonya greece yunanistan bulgaria bulgaristan romania romanya "
    "cyprus kibris russia rusya ukraine ukrayna azerbaijan azerbaycan georgia gurcistan england "
    "ingiltere united_kingdom britain british ingiliz ireland irlanda portugal portekiz usa "
    "america amerika abd canada kanada australia avustralya japan japonya dubai emirates qatar "
    "katar london londra paris berlin amsterdam rotterdam vienna viyana rome roma milan milano "
    "madrid barcelona brussels bruksel munich munih frankfurt hamburg cologne koln lyon zurich "
    "dublin copenhagen kopenhag stockholm",
    "city": "city cities town sehir ilce istanbul ankara izmir bursa antalya adana konya gaziantep "
    "kayseri mersin eskisehir trabzon samsun diyarbakir kocaeli izmit sakarya denizli kadikoy "
    "besiktas sisli uskudar bakirkoy beyoglu atasehir maltepe kartal pendik sariyer beylikduzu "
    "esenyurt fatih cankaya karsiyaka bornova",
    "customs": "customs duty duties import_tax import vat gumruk",
    "wash": "wash laundry washing_machine yika camasir",
    "dishwasher": "dishwasher bulasik microwave mikrodalga oven firin",
    "clean": "clean cleaning temizle temizli rust pas paslan stain leke tartar scaling dis_tasi",
    "soft": "soft softener yumusak yumusat",
    "assemble": "assembl install put_together set_up setup build kurulum montaj kurul kurma kurar "
    "kurabil",
    "business": "bulk wholesale corporate company business hotel restaurant quote kurumsal toplu "
    "sirket firma otel restoran teklif",
    "privacy": "privacy personal_data my_data data gdpr kvkk kisisel_veri veriler verilerim "
    "kayitli_bilgi",
    "contact": "contact get_in customer_service customer_support support phone call hotline "
    "whatsapp iletisim destek ulasabil ulasmak musteri_hizmet telefon arayabil",
    "time": "how_long how_many_days how_soon how_quickly how_fast by_when when ne_zaman kac_gun "
    "kac_gunde kac_gunu kac_hafta ne_kadar_sure ne_kadar_suru sure suruyor surede surec",
    "loyalty": "loyalty points reward club earn puan sadakat kulup",
    "newsletter": "newsletter unsubscrib spam stop_sending opt_out sms marketing bulten reklam "
    "pazarlama",
    "pickup": "pick_up pickup collect grab click_and in_store teslim_al teslim_alab teslim_alin "
    "teslim_alma gel_al gelip_al",
    "registry": "registry wedding wishlist wish_list gift_list engagement engaged marri bridal "
    "housewarming dugun nisan evlen ceyiz hediye_liste",
    "cod": "cash_on cash nakit kapida",
    "add": "add extra ekle ilave",
    "notify": "notify notification alert let_me_know back_in email_me mail_me remind haber bildir "
    "hatirlat",
    "error": "error fail failed reject declin bounce denied go_through went_through goes_through "
    "invalid couldn_take couldn_charge hata basarisiz reddet onaylanma gecmiyor gecmedi gecersiz "
    "cekilemedi cekilmedi alinamadi",
    # Software and subscriptions: what customers of an online service ask about.
    "subscription": "subscription subscrib renewal renew auto_renew recurring abonelik abone "
    "yenileme",
    "trial": "trial free_trial try_it try_out test_it test_out deneme deneyebil deneyip",
    "upgrade": "upgrade downgrade move_up higher_plan bigger_plan larger_plan next_tier yukselt "
    "paket_dusur ust_paket alt_paket buyuk_paket",
    "yearly": "yearly annual annually per_year a_year whole_year full_year upfront yillik senelik",
    "currency": "currency currencies foreign_currency euro eur usd gbp dollar dolar sterlin pound "
    "doviz exchange_rate kur",
    "accountant": "accountant accounting bookkeep tax_advisor tax_adviser cpa muhasebe "
    "mali_musavir musavir smmm",
    "forgot": "forgot forget remember recall unuttum unuttu unutmus unutum hatirla",
    "user": "user users seat seats colleague coworker co_worker team_member teammate kullanici "
    "ekip_arkadas calisma_arkadas",
    "twofactor": "two_factor 2fa two_step mfa authenticator one_time otp security_code "
    "verification_code iki_adim iki_asama dogrulama_kod dogrulama_kodu guvenlik_kod guvenlik_kodu "
    "tek_kullanim",
    "verify": "verify verification confirm confirmation activation activate dogrula onay "
    "aktivasyon aktiflestir etkinlestir",
    "export": "export backup back_up download_all disa_aktar disari_aktar yedek",
    "spreadsheet": "spreadsheet excel xlsx csv ice_aktar toplu_yukle",
    "integration": "integrat connect sync entegr baglanir baglaniyor baglayabil baglamak baglama "
    "senkron",
    "app": "app apps mobile application iphone android ios uygulama mobilden mobil_uygulama",
    "api": "api developer webhook sdk gelistirici",
    "design": "design template layout logo branding tasarim sablon gorunum",
    "inventory": "inventory envanter",
    "expense": "expense expenses spent spending giderler harcama",
    # Stays: what guests of a hotel or a rental ask about.
    "booking": "booking booked book_a book_an book_the book_my book_it to_book reserv rezervasyon "
    "rezerve ayirt yer_ayir oda_ayir oda_tut oda_tutm oda_tuta",
    "checkin": "check_in checkin arrival arrive_at get_the_keys early_check giris_saati odaya_gir "
    "odayi_teslim_al",
    "checkout": "check_out checkout leave_the_room late_check cikis_saati cikis_yap cikis_yapm "
    "odayi_teslim odadan_cik odadan_cikm odadan_cika gec_cikis",
    "breakfast": "breakfast brunch morning_buffet buffet kahvalti serpme acik_bufe",
    "meal": "dinner lunch supper meal eat aksam_yemeg ogle_yemeg yemek",
    "drink": "drink drinks beverage alcohol bar icecek icki alkol",
    "board": "all_inclusive half_board full_board bed_and her_sey_dahil yarim_pansiyon "
    "tam_pansiyon",
    "airport": "airport flight land landing plane havalimani havaalani ucak ucus inis",
    "car": "car cars parking park_my drive driving otopark araba aracim aracla aracimiz araclar "
    "otomobil park_yeri park_eder",
    "wifi": "wifi wi_fi internet wireless kablosuz",
    "pet": "pet pets dog dogs puppy cat cats terrier evcil kopek kopeg kedi",
    "child": "child children kid kids my_son our_son daughter toddler cocuk oglum kizim",
    "baby": "baby babies infant crib cot bebek besik mama_sandalye",
    "deposit": "deposit down_payment prepay prepayment advance_payment kapora depozito on_odeme",
    "pool": "pool swim swimming havuz yuzme",
    "spa": "spa massage hammam sauna turkish_bath hamam masaj",
    "beach": "beach sandy seaside sea_front seafront sea plaj kumsal deniz sahil",
    "view": "view views manzara manzarali",
    "accessible": "wheelchair accessible accessibility disabled mobility step_free engelli "
    "tekerlekli_sandalye rampa",
    "tour": "tour tours excursion trips boat_trip day_trip sightseeing gezi tekne_tur tekne_turu "
    "tekne_tura tur turlar",
    "smoke": "smoke smoking cigarette sigara",
    "luggage": "luggage bag bags suitcase suitcases baggage bavul valiz esya_birak",
    "lostitem": "left_behind left_my left_something lost_property lost_and esyami_unut",
    "visitor": "visitor visitors day_pass day_guest outside_guest gunubirlik ziyaretci",
    "season": "winter summer season off_season kis kisin yazin sezon",
    # Care: what patients of a clinic ask about.
    "appointment": "appointment appointments appoint slot randevu",
    "reschedule": "reschedule postpone move_my push_back another_day another_time ertele "
    "baska_gune baska_bir_gun baska_bir_gune ileri_al",
    "doctor": "doctor doctors dentist dentists physician specialist hekim doktor disci "
    "dis_hekim uzman",
    "emergency": "emergency urgent urgently acil",
    "pain": "pain painful hurt hurts ache aching toothache sore agri agriyor aci acit acir sizla",
    "anaesthesia": "anaesthe anesthe numb sedation sedate put_me_to_sleep needle needles "
    "injection uyustur uyusma uyut narkoz sedasyon igne",
    "whitening": "whiten bleach yellow beyazlat sarar",
    "braces": "braces brace aligner aligners invisalign orthodont crooked straighten "
    "tel_tedavi dis_teli braket seffaf_plak ortodonti capra egri",
    "xray": "x_ray xray radiograph panoramic rontgen film filmi filmim tomografi",
    "insurance": "insurance insurer insured coverage allianz axa sigorta sgk tamamlayici",
    "extraction": "extraction extract pulled tooth_out cekim cektir",
    "filling": "filling fillings cavity cavities crown crowns dolgu kron curuk",
    "arrive": "arrive receive received deliver_to get_here show_up geldi gelmedi ulasti eline_gec "
    "eline_gect eline_gece elime_gec elime_gect elime_gece",
}


WORKSPACE_CACHE_SIZE = 4096  # a workspace's thesaurus lives with its index in every process


def _matches(word: str, member: str) -> bool:
    return word == member if len(member) < 4 else word.startswith(member)


class Thesaurus:
    """Groups of members that share a concept: a member of one word matches a word by its
    beginning (four letters or more) or whole; a member of words in a row ("mail_back")
    matches those words in a row. ``cache_size``: how many words' readings it remembers."""

    def __init__(self, groups: dict[str, list[str]], cache_size: int = 65536):
        self.groups = groups
        self.cache_size = cache_size
        # A one-word member -> its concept; a member of words in a row: first word -> (the
        # words after it, concept), longest first.
        self._single: dict[str, str] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for concept, members in groups.items():
            for member in members:
                first, *rest = member.split("_")
                if rest:
                    self._phrases.setdefault(first, []).append((tuple(rest), concept))
                else:
                    self._single[first] = concept
        self._short = {m for m in self._single if len(m) < 4}
        self._long = sorted((m for m in self._single if len(m) >= 4), key=len, reverse=True)
        self._single_cache: dict[str, str | None] = {}
        self._phrase_cache: dict[str, tuple] = {}

    def extended(self, groups: dict[str, list[str]]) -> "Thesaurus":
        """This thesaurus with more groups (a workspace's own words); a member in both
        belongs to the new group."""
        mine = {m for members in groups.values() for m in members}
        merged = {c: [m for m in ms if m not in mine] for c, ms in self.groups.items()}
        return Thesaurus({**merged, **groups}, cache_size=WORKSPACE_CACHE_SIZE)

    def single(self, word: str) -> str | None:
        """The concept ``word`` belongs to on its own, if any."""
        if word in self._single_cache:
            return self._single_cache[word]
        found = self._single[word] if word in self._short else None
        if found is None:
            found = next((self._single[m] for m in self._long if word.startswith(m)), None)
        if len(self._single_cache) < self.cache_size:
            self._single_cache[word] = found
        return found

    def _phrases_from(self, word: str) -> tuple[tuple[tuple[str, ...], str], ...]:
        """The (words after the first, concept) of the members of several words that ``word``
        can begin, longest first."""
        if word not in self._phrase_cache:
            found = [p for first, ps in self._phrases.items() if _matches(word, first) for p in ps]
            found.sort(key=lambda phrase: -len(phrase[0]))
            if len(self._phrase_cache) >= self.cache_size:
                return tuple(found)
            self._phrase_cache[word] = tuple(found)
        return self._phrase_cache[word]

    def concepts(self, words: list[str]) -> set[str]:
        """The concepts that ``words`` (folded, in order) speak of, as terms ("@return"). A
        word read as part of a member of several words ("mail back") does not also count on
        its own ("mail")."""
        found = set()
        in_phrase = set()
        for i, word in enumerate(words[:-1]):
            for rest, concept in self._phrases_from(word):
                following = words[i + 1 : i + 1 + len(rest)]
                if len(following) == len(rest) and all(map(_matches, following, rest)):
                    found.add("@" + concept)
                    in_phrase.update(range(i, i + 1 + len(rest)))
                    break  # the longest member that starts here ("ne kadar sürer", not "ne kadar")
        for i, word in enumerate(words):
            concept = self.single(word)
            if concept and i not in in_phrase:
                found.add("@" + concept)
        return found


SHARED = Thesaurus({concept: members.split() for concept, members in _GROUPS.items()})


def concepts(words: list[str]) -> set[str]:
    """The concepts of the shared thesaurus that ``words`` (folded, in order) speak of."""
    return SHARED.concepts(words)
