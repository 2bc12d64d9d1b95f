#!/usr/bin/env bash
# Rebuilds the demo caseload in cases/ (fictional families only) by running zchuyot itself.
# Usage: bash scripts/make_demo.sh   (from the repository root; needs `zchuyot` installed)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ZCHUYOT_CONFIG_DIR="$tmp/config"
z() { zchuyot --root "$tmp/ws" "$@"; }
on() { export ZCHUYOT_TODAY="$1"; }

on 2026-09-01
zchuyot init "$tmp/ws" --worker dana --name "דנה (עו\"ס משפחה)" --role family \
  --department "מחלקה לשירותים חברתיים – סביבת הדגמה (כל המשפחות בדויות)" >/dev/null
python - "$tmp/ws/.zchuyot.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.rstrip("\n") + "\n  miri:\n    name: מירי (עו\"ס מיצוי זכויות)\n    role: rights\n  noa:\n    name: נועה (סטודנטית, קליניקה משפטית)\n    role: student\n"
open(p, "w", encoding="utf-8").write(s)
PY
export ZCHUYOT_WORKER=dana

# --- family f101: a single mother of three (fictional) ---------------------------------
z family add f101 --name "משפחת אלון (בדויה)" --phone 050-0000101 --id-number 000000018 >/dev/null
a1=$(z new --family f101 --date 2026-09-01 --domain housing --subject "הנחה בארנונה" \
  --description "אם יחידנית לשלושה ילדים; החוב לעירייה גדל כל חודש. לא ידעה שמגיעה לה הנחה." \
  --need "לא מצליחה לשלם ארנונה" --right "הנחה בארנונה" --source asked --priority 2 --urgency later \
  --body "עירייה – ועדת הנחות בארנונה||מוקד 106")
on 2026-09-02
z collect "$a1" --problem "חוב ארנונה של כמה חודשים; אין הנחה כי לא הגישה בקשה" --history never \
  --barrier-kind information --barrier "לא ידעה שהורה יחיד זכאי להנחה" >/dev/null
z plan "$a1" --action "לאסוף תלושי שכר ואישור הורה יחיד" --who client_advised --due 2026-09-09 --agreed >/dev/null
z plan "$a1" --action "מכתב בקשה לוועדת ההנחות" --who worker --due 2026-09-12 --body "עירייה – ועדת הנחות בארנונה" --agreed >/dev/null
on 2026-09-08; z treat "$a1" "איסוף תלושי שכר ואישור הורה יחיד מביטוח לאומי" --kind documents --done 1 >/dev/null
on 2026-09-10; z treat "$a1" "מכתב בקשה לוועדת ההנחות בעירייה, כולל בקשה להנחה רטרואקטיבית" --kind letter --done 2 --next 2026-10-01 >/dev/null
on 2026-10-20; z treat "$a1" "הוועדה אישרה 70% הנחה; החוב הישן נפרס לתשלומים" --kind answer >/dev/null
z close "$a1" --ended --date 2026-10-20 --insights "לשאול כל הורה יחיד על הנחה בארנונה – רובן לא יודעות שזו זכות." \
  --benefit "הנחה בארנונה" --amount 310 --period monthly --kind avoidance >/dev/null

on 2026-10-04
a2=$(z new --family f101 --date 2026-10-04 --domain education --subject "הבן עומד להישלח הביתה מהמעון בגלל חוב" \
  --description "המעון הודיע שבסוף החודש הילד לא יתקבל עד שיוסדר חוב של ₪2,400." \
  --need "הילד צריך להישאר במעון כדי שהאם תוכל לעבוד" --right "סבסוד מעונות יום" --source reported \
  --priority 1 --urgency now --body "מעון יום (רשת מעונות)|מנהלת המעון|" --body "משרד העבודה – אגף מעונות יום||")
on 2026-10-05
z collect "$a2" --problem "חוב של ₪2,400 למעון; בלי המעון האם לא יכולה לעבוד" --history never \
  --barrier-kind cost --barrier "הסבסוד לא עודכן אחרי ירידה בהכנסה" >/dev/null
z plan "$a2" --action "לבקש ממנהלת המעון דחייה עד החלטת הסבסוד" --who worker --due 2026-10-06 --agreed >/dev/null
z plan "$a2" --action "הגשת בקשה לסבסוד לפי דרגת הכנסה" --who accompanied --due 2026-10-15 --agreed >/dev/null
z plan "$a2" --action "הסדר תשלומים לחוב הישן" --who client_advised --due 2026-11-20 --agreed >/dev/null
z treat "$a2" "שיחה עם מנהלת המעון: הסכימה לדחות עד שתתקבל החלטה על סבסוד" --kind call --done 1 >/dev/null
on 2026-10-12; z treat "$a2" "הוגשה בקשה לסבסוד מעון לפי דרגת הכנסה; הגשה מקוונת יחד עם האם" --kind accompaniment --done 2 --next 2026-11-16 >/dev/null

# --- family f102: a four-year bank debt and income support (fictional) -------------------
on 2026-08-03
z family add f102 --name "משפחת ברק (בדויה)" --phone 052-0000102 --id-number 000000026 >/dev/null
b1=$(z new --family f102 --date 2026-08-03 --domain debts --subject "חוב לבנק בהוצאה לפועל כבר ארבע שנים" \
  --description "תיק בהוצאה לפועל עם עיקול משכורת והגבלה בבנק; ניסיונות להסדר לא נענו." \
  --need "להפסיק את העיקולים" --right "איחוד תיקים בהוצאה לפועל" --source reported --priority 1 --urgency now \
  --body "רשות האכיפה והגבייה (הוצאה לפועל)|מנהלת לשכת ההוצאה לפועל|" --body "הבנק||" --body "הסיוע המשפטי||")
on 2026-08-10; z treat "$b1" "פגישה: מיפוי כל החובות והתיקים; הפונה הביא את כל המכתבים" --kind meeting >/dev/null
z collect "$b1" --problem "ארבע שנים של עיקולים; ניסיונות להסדר לא נענו" --history refused \
  --barrier-kind stuck --barrier "אף אחד בלשכה ובבנק לא הקשיב" >/dev/null
z plan "$b1" --action "פנייה בכתב למנהלת לשכת ההוצאה לפועל" --who accompanied --due 2026-08-24 \
  --body "רשות האכיפה והגבייה (הוצאה לפועל)" --agreed >/dev/null
z plan "$b1" --action "בדיקת זכאות לסיוע משפטי" --who worker --due 2026-08-31 --body "הסיוע המשפטי" --agreed >/dev/null
on 2026-08-24; z treat "$b1" "פנייה בכתב למנהלת לשכת ההוצאה לפועל, בליווי העו\"ס" --kind accompaniment --done 1 >/dev/null
on 2026-09-14; z treat "$b1" "המנהלת הפנתה לגישור מול הבנק" --kind answer >/dev/null
on 2026-11-02; z treat "$b1" "בגישור הושג הסדר; התיק בהוצאה לפועל נסגר והעיקולים הוסרו" --kind answer >/dev/null
z close "$b1" --ended --date 2026-11-02 --insights "פנייה ישירה למנהלת הלשכה פתחה דלת שהייתה סגורה ארבע שנים. לשקול גישור מוקדם." \
  --benefit "סגירת תיק הוצאה לפועל בגישור" --amount 38000 --period one_off --kind avoidance >/dev/null

on 2026-10-15
b2=$(z new --family f102 --date 2026-10-15 --domain national_insurance --subject "קצבת הבטחת הכנסה בוטלה" \
  --description "הקצבה הופסקה אחרי שהבן התחיל לעבוד; לא ברור אם ההכנסה שלו נחשבת." \
  --need "אין הכנסה לקיום בסיסי" --right "הבטחת הכנסה" --source reported --priority 2 --urgency now \
  --body "ביטוח לאומי – סניף באר שבע|פקידת הבטחת הכנסה|*6050")
on 2026-10-16
z collect "$b2" --problem "הקצבה הופסקה כי הכנסת הבן נספרה כהכנסת משק הבית" --history refused \
  --barrier-kind eligibility --barrier "כללי הזכאות סופרים את שכר הבן" >/dev/null
z plan "$b2" --action "בקשה לחידוש עם תלושי השכר של הבן" --who client_advised --due 2026-10-19 \
  --body "ביטוח לאומי" --agreed >/dev/null
on 2026-10-20
z persist "$b2" --refusal "ביטוח לאומי דחה את הבקשה לחידוש: 'הכנסת משק הבית מעל הסף'" --body "ב.ל." \
  --deadline ni_labour_court >/dev/null

on 2026-09-25
b3=$(z new --family f102 --date 2026-09-25 --domain national_insurance --subject "ועדה רפואית קבעה נכות נמוכה מדי" \
  --description "האב חולה במחלה כרונית; הוועדה קבעה 20% ולכן אין קצבת נכות." \
  --need "הכנסה כשאי אפשר לעבוד" --right "קצבת נכות כללית" --source asked --priority 3 --urgency now \
  --body "ביטוח לאומי – ועדות רפואיות||")
z collect "$b3" --problem "הוועדה לא ראתה את המסמכים של הרופא המטפל" --history refused \
  --barrier-kind documents --barrier "המסמכים הרפואיים לא הוגשו לוועדה" >/dev/null
on 2026-10-01
z persist "$b3" --refusal "החלטת הוועדה הרפואית: 20% נכות" --body "המוסד לביטוח לאומי" --deadline medical_appeal >/dev/null
on 2026-10-08
z persist "$b3" --escalate "מכתב למנהל הסניף עם מסמכי הרופא" --body "ביטוח לאומי" >/dev/null
z plan "$b3" --action "להגיש ערר לוועדה רפואית לעררים עם מכתב הרופא" --who worker --due 2026-11-25 \
  --body "ביטוח לאומי" --agreed >/dev/null
on 2026-11-19; z treat "$b3" "שיחה עם האב: מכתב הרופא המטפל יגיע השבוע" --kind call >/dev/null

# --- family f103: a disabled child and a public-housing flat (fictional) -----------------
on 2026-09-20
z family add f103 --name "משפחת גל (בדויה)" --phone 08-0000103 >/dev/null
c1=$(z new --family f103 --date 2026-09-20 --domain education \
  --subject "הסעה לבן עם מוגבלות מהפנימייה הביתה בחופשות" \
  --description "הבן שוהה בפנימייה; אין מימון להסעות בחופשות, וההורים לא יכולים לממן." \
  --need "להביא את הבן הביתה בחופשות" --right "הסעות לתלמידים" --source asked --priority 1 --urgency now \
  --body "משרד החינוך – אגף חינוך מיוחד||" --body "עירייה – מחלקת חינוך||")
on 2026-09-27; z treat "$c1" "בירור עם מחלקת החינוך: אין סעיף להסעות בחופשות לילדים בפנימיות" --kind call >/dev/null
z collect "$c1" --problem "אין מימון להסעות בחופשות לילדים שבפנימיות" --history never \
  --barrier-kind eligibility --barrier "הנוהל לא מכיר בהסעות בחופשות" >/dev/null
on 2026-10-08; z treat "$c1" "התייעצות עם עו\"ס מיצוי זכויות: ייתכן שזו סוגיה של משפחות נוספות" --kind contact >/dev/null
z policy "$c1" --flag "הסעות בחופשות לילדים בפנימיות – לא רק המשפחה הזו" >/dev/null
z plan "$c1" --action "בקשה חריגה למחלקת החינוך" --who worker --due 2026-11-10 --body "עירייה – מחלקת חינוך" --agreed >/dev/null

on 2026-10-01
c2=$(z new --family f103 --date 2026-10-01 --domain housing --subject "סירוב לשיפוץ דירה בדיור הציבורי" \
  --description "רטיבות קשה בחדר הילדים; החברה המשכנת סירבה לתקן." \
  --need "דירה בטוחה לילדים" --right "התאמת דירה בדיור הציבורי" --source reported --priority 2 --urgency later \
  --body "עמידר|מנהל האזור|" --body "משרד הבינוי והשיכון||")
z collect "$c2" --problem "רטיבות בחדר הילדים; לילד אסתמה" --history refused --barrier-kind bureaucracy \
  --barrier "החברה המשכנת מגלגלת את האחריות" >/dev/null
on 2026-10-06; z treat "$c2" "צילומי הרטיבות ואישור רופא על אסתמה של הילד" --kind documents >/dev/null
on 2026-10-13; z persist "$c2" --refusal "עמידר: 'התיקון אינו באחריות החברה'" --body "עמידר" >/dev/null
on 2026-10-15; z persist "$c2" --escalate "מכתב למנהל האזור בעמידר (הקומה מעל) עם המסמכים הרפואיים" --body "עמידר" >/dev/null
z plan "$c2" --next 2026-11-05 >/dev/null

# --- the rights worker's own issue (other worker's folder) --------------------------------
export ZCHUYOT_WORKER=miri
on 2026-10-10
m1=$(z new --family f103 --date 2026-10-10 --domain other --domain-other "מדיניות – הסעות לילדים בפנימיות" \
  --subject "הסעות בחופשות לילדים בפנימיות – סוגיה של כמה משפחות" \
  --description "שלוש משפחות במחלקה באותו מצב; בדיקה מול משרד החינוך והעירייה." \
  --body "משרד החינוך||" --body "עירייה – מחלקת חינוך||")
z collect "$m1" --barrier-kind eligibility --barrier "אין סעיף תקציבי להסעות בחופשות" >/dev/null
on 2026-10-22; z treat "$m1" "פגישה עם מנהלת מחלקת החינוך בעירייה" --kind meeting --next 2026-11-19 >/dev/null
z policy "$m1" --flag "שלוש משפחות במחלקה; להעלות להנהלה ולמשרד החינוך" >/dev/null

# the network around the cases (issue 15): a volunteer and a legal clinic who use the workspace, the people
# at two bodies, the demo's other bodies in the directory, a referral with the clinic's feedback, a referral
# past due, and a waiver about to expire
on 2026-11-23
z worker add sara --name "שרה (מתנדבת, ליווי למוסדות)" --role volunteer >/dev/null
z worker add tom --name "תום (סטודנט, קליניקה משפטית)" --role student >/dev/null
z partner add vol_sara --name "שרה – מתנדבת ליווי" --kind volunteer --domain housing --domain education \
  --domain national_insurance --worker sara >/dev/null
z partner add bgu_clinic --name "הקליניקה המשפטית – זכויות בביטוח לאומי" --kind clinic \
  --domain national_insurance --worker tom --contact "08-6461234" >/dev/null
z body contact national_insurance --person "רונית (פקידת תביעות)" --role "סניף באר שבע, הבטחת הכנסה" \
  --phone "08-6295555" --note "זמינה בימי שני ורביעי" >/dev/null
z body contact housing_ministry --person "משה (רכז סיוע בשכר דירה)" --role "מחוז דרום" \
  --email "rent-help@example.org" >/dev/null
z body add "עירייה – מחלקת חינוך" --key education_department --alias "מחלקת החינוך" --kind municipality >/dev/null
z body add "משרד העבודה – אגף מעונות יום" --key daycare_division --alias "אגף מעונות יום" --kind government >/dev/null
z body add "מעון יום" --key daycare --alias "מעון יום (רשת מעונות)" --kind organization >/dev/null
z refer "$b3" --to bgu_clinic --ask "ייצוג בערר לוועדה הרפואית לעררים" --date 2026-11-12 --due 2026-11-26 >/dev/null
zchuyot --root "$tmp/ws" --worker tom feedback "$b3" \
  "נפגשנו עם האב: נדרשים מכתב מהרופא המטפל וסיכום אשפוז; נגיש את הערר עד 28/11" --date 2026-11-20 >/dev/null
z refer "$c2" --to vol_sara --ask "ליווי האם לעמידר להגשת הבקשה לשיפוץ, עם התמונות" --date 2026-11-05 \
  --due 2026-11-18 >/dev/null
z family waiver f102 --body national_insurance --body bgu_clinic --signed 2026-06-01 --expires 2026-12-01 >/dev/null

rm -rf "$repo/cases" "$repo/directory"
cp -r "$tmp/ws/directory" "$repo/directory"
mkdir -p "$repo/cases"
cp -r "$tmp/ws/cases/." "$repo/cases/"
rm -f "$repo/cases/.gitkeep"
cp "$tmp/ws/.zchuyot.yaml" "$repo/.zchuyot.yaml"
echo "demo rebuilt: $(find "$repo/cases" -name '*.yaml' ! -name family.yaml | wc -l) issues"
