# Import reasons, as the office worker who made the file reads them (errors.csv, report e-mail).
column-site_code = code du site
    .gender = m
column-area_code = code de zone
    .gender = m
column-external_ref = référence
    .gender = f
column-type = type
    .gender = m
column-status = statut
    .gender = m
column-capacity_litres = capacité
    .gender = f
column-latitude = latitude
    .gender = f
column-longitude = longitude
    .gender = f
column-address = adresse
    .gender = f
column-installed_on = date d’installation
    .gender = f
column-notes = notes
    .gender = fp
column-row = ligne
    .gender = f
reason-missing = { $gender ->
    [f] { $column } manquante
    [fp] { $column } manquantes
   *[m] { $column } manquant
}
reason-not-a-number = { $column } : un nombre décimal est attendu, comme 45,75
reason-not-whole = { $column } : un nombre entier de litres est attendu
reason-zero-point = 0, 0 est dans le golfe de Guinée : les coordonnées manquent ou ont été perdues
reason-column-count = { $expected } colonnes attendues, { $found } trouvées (un retour chariot seul, CR, peut avoir coupé ou joint des lignes)
reason-unknown-site = site inconnu (aucun site n’a ce code)
reason-unknown-area = zone inconnue dans ce site
reason-duplicate-ref = référence en double dans ce fichier (déjà en ligne { $first })
reason-removed-final = le conteneur { $reference } est retiré ; retiré est définitif
reason-archived = le conteneur { $reference } est archivé ; un conteneur archivé ne change plus
reason-forbidden-status = le statut ne peut pas passer de { $from } à { $to }
reason-outside-area = le point est à { $distance } m hors des limites de sa zone (tolérance { $tolerance } m)
reason-outside-area-swapped = le point est à { $distance } m hors des limites de sa zone (tolérance { $tolerance } m) ; latitude et longitude semblent inversées : inversées, le point est dans la zone
invalid-site_code = code du site invalide : lettres minuscules, chiffres et tirets
invalid-area_code = code de zone invalide : lettres minuscules, chiffres et tirets
invalid-external_ref = référence refusée : une seule ligne de 1 à 64 caractères, sans caractère de contrôle ou invisible, ne commençant pas par =, + ou @ (un tableur l’exécuterait comme une formule)
invalid-type = type inconnu : street_bin, underground, in_store ou other
invalid-status = statut inconnu : active, full, damaged, maintenance ou removed
invalid-capacity_litres = capacité hors limites : de 1 à 100 000 litres
invalid-latitude = latitude hors limites : entre -90 et 90
invalid-longitude = longitude hors limites : entre -180 et 180
invalid-address = adresse refusée : une seule ligne de 300 caractères au plus, sans caractère de contrôle ou invisible, ne commençant pas par =, + ou @ (un tableur l’exécuterait comme une formule)
invalid-installed_on = date d’installation invalide : AAAA-MM-JJ, entre 1900 et 2100
invalid-notes = notes trop longues
errors-csv-line = ligne
errors-csv-column = colonne
errors-csv-value = valeur
errors-csv-reason = raison
# Pourquoi tout un import a échoué (son code enregistré mis en mots : la réponse à l’envoi,
# le détail de l’import, l’e-mail de compte rendu).
failure-file-empty = le fichier est vide
failure-file-header-only = le fichier a une ligne d’en-tête mais aucune ligne de données
failure-file-utf16 = le fichier est en UTF-16 : enregistrez-le en UTF-8 (avec ou sans BOM)
failure-file-workbook = c’est un classeur Excel, pas un fichier CSV : ouvrez-le dans Excel, choisissez Fichier › Enregistrer sous et le type « CSV UTF-8 (délimité par des virgules) », puis importez ce fichier
failure-file-compressed = c’est un fichier compressé (zip ou gzip) : extrayez-en le fichier CSV et importez celui-ci
failure-file-binary = la ligne { $line } contient des octets NUL : des données binaires ou de l’UTF-16, du texte UTF-8 est attendu
failure-file-not-utf8 = la ligne { $line } n’est pas de l’UTF-8 valide : enregistrez le fichier en UTF-8 (avec ou sans BOM), ou indiquez son encodage
failure-file-open-quote = le champ entre guillemets commencé ligne { $line } n’est jamais fermé
failure-file-row-too-long = la ligne commencée ligne { $line } dépasse { $limit } octets
failure-file-header-too-long = aucune ligne d’en-tête dans les { $limit } premiers octets
failure-file-header = l’en-tête ne correspond pas aux colonnes documentées
failure-file-header-missing = manquantes : { $columns }
failure-file-header-unknown = inconnues : { $columns }
failure-separator = { " ; " }
failure-file-too-large = le fichier dépasse { $limit } octets
failure-upload-stalled = aucune donnée depuis { $seconds } s : l’envoi s’est arrêté (connexion perdue, ou formulaire sans sa limite de fin)
failure-upload-interrupted = l’envoi a été interrompu (connexion perdue) : importez le fichier à nouveau
failure-upload-stopped = l’envoi s’est arrêté : aucun octet depuis { $seconds } s (connexion perdue) : importez le fichier à nouveau
failure-no-valid-row = aucune ligne n’a passé la validation : voir errors.csv
failure-form-no-file = le formulaire n’a pas de partie nommée file
failure-form-unreadable = le formulaire est illisible : envoyez le fichier CSV comme partie file d’un formulaire multipart/form-data
failure-form-stalled = le formulaire a cessé d’arriver avant sa partie file
failure-media-type = { $type } n’est pas accepté : envoyez le fichier CSV en text/csv, ou comme partie file d’un formulaire multipart/form-data
