# E-mails: subject, body lines of the MJML and of the plain-text twin.
mail-footer = Tisseco collecte des vêtements pour le réemploi et l’insertion. Ce message a été envoyé automatiquement ; merci de ne pas y répondre.
mail-hello = Bonjour { $name },
import-subject = Import de { $file_name } : { $imported } sur { $total } { $total ->
    [one] ligne importée
   *[other] lignes importées
}
import-finished = Votre import de { $file_name } est terminé.
import-counts = { $imported } sur { $total } { $total ->
    [one] ligne importée
   *[other] lignes importées
} ; { rows-rejected }.
import-failed = Le fichier a été refusé : { $reason }
import-first-rows = { $shown ->
    [one] La première des { $count } lignes rejetées :
   *[other] Les { $shown } premières des { $count } lignes rejetées :
}
import-all-rows = { $count ->
    [one] La ligne rejetée :
   *[other] Les lignes rejetées :
}
import-col-line = Ligne
import-col-column = Colonne
import-col-value = Valeur
import-col-reason = Raison
import-row-text = ligne { $line }, { $column } « { $value } » : { $reason }
import-row-text-empty = ligne { $line } : { $reason }
import-errors-link = Toutes les lignes rejetées avec leur raison (à ouvrir avec un tableur) :
ack-subject = Votre signalement { $reference } a bien été reçu
ack-thanks = Merci pour votre signalement concernant le conteneur { $code } ({ $address }).
ack-thanks-no-address = Merci pour votre signalement concernant le conteneur { $code }.
ack-problem = Vous avez signalé : { $problem }
ack-reference = Sa référence est { $reference }. Nous vous écrirons quand son état changera.
follow-button = Suivre votre signalement
follow-here = Suivez-le ici : { $url }
status-subject = Votre signalement { $reference } : { $status }
status-changed = Votre signalement { $reference } concernant le conteneur { $code } est maintenant : { $status }.
tour-subject = Tournée { $tour } le { $date }
tour-assigned = La tournée { $tour } du { $date } vous est confiée : { $stops ->
    [one] { $stops } arrêt
   *[other] { $stops } arrêts
}, départ de { $start }.
tour-first-stop = premier arrêt
reset-subject = Réinitialisez votre mot de passe Tisseco
reset-asked = Quelqu’un a demandé à réinitialiser votre mot de passe Tisseco. Si c’est vous, choisissez-en un nouveau dans les { $minutes } minutes :
reset-button = Choisir un nouveau mot de passe
reset-not-you = Si ce n’est pas vous, ignorez ce message : votre mot de passe ne change pas.
