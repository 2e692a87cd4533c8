# Shared words: the brand line, months, how a date is written.
brand-tagline = collecte de vêtements
footer-about = Tisseco collecte des vêtements de seconde main pour les revendre et financer des parcours d’insertion.
language-name = Français
# The other language offered by the switch, in that language.
switch-to = English
switch-to-lang = en
switch-label = Read this page in English
month-short-1 = janv.
month-short-2 = févr.
month-short-3 = mars
month-short-4 = avr.
month-short-5 = mai
month-short-6 = juin
month-short-7 = juil.
month-short-8 = août
month-short-9 = sept.
month-short-10 = oct.
month-short-11 = nov.
month-short-12 = déc.
date-short = { $day } { $month } { $year }
date-time = { $date } à { $time } UTC
rows-rejected = { $count ->
    [one] { $count } ligne rejetée
   *[other] { $count } lignes rejetées
}
link-invalid = Ce lien n’est pas valable : il a été mal copié ou il mène à un autre fichier. Demandez un nouveau lien.
link-expired = Ce lien a expiré (il marche 7 jours). Demandez un nouveau lien ou connectez-vous pour télécharger le fichier.
link-withdrawn = Ce lien a été retiré : les sessions de son compte ont été fermées. Connectez-vous pour télécharger le fichier.
link-not-allowed = Ce lien ne marche plus : son compte n’a plus accès à ce fichier.
