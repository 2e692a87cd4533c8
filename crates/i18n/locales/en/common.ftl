# Shared words: the brand line, months, how a date is written.
brand-tagline = clothing collection
footer-about = Tisseco collects second-hand clothes for resale and work-reintegration programmes.
language-name = English
# The other language offered by the switch, in that language.
switch-to = Français
switch-to-lang = fr
switch-label = Lire cette page en français
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec
date-short = { $day } { $month } { $year }
date-time = { $date }, { $time } UTC
rows-rejected = { $count ->
    [one] { $count } row rejected
   *[other] { $count } rows rejected
}
link-invalid = This link is not valid: it was copied wrong or leads to another file. Ask for a new link.
link-expired = This link has expired (links work for 7 days). Ask for a new one, or sign in to download the file.
link-withdrawn = This link was withdrawn: its account's sessions were ended. Sign in to download the file.
link-not-allowed = This link no longer works: its account may no longer open this file.
