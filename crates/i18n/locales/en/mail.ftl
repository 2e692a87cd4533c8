# E-mails: subject, body lines of the MJML and of the plain-text twin.
mail-footer = Tisseco collects clothes for reuse and work reintegration. This message was sent automatically; please do not reply.
mail-hello = Hello { $name },
import-subject = Import of { $file_name }: { $imported } of { $total } { $total ->
    [one] row imported
   *[other] rows imported
}
import-finished = Your import of { $file_name } is finished.
import-counts = { $imported } of { $total } { $total ->
    [one] row imported
   *[other] rows imported
}; { rows-rejected }.
import-failed = The file was refused: { $reason }
import-first-rows = { $shown ->
    [one] The first of { $count } rejected rows:
   *[other] The first { $shown } of { $count } rejected rows:
}
import-all-rows = { $count ->
    [one] The rejected row:
   *[other] The rejected rows:
}
import-col-line = Line
import-col-column = Column
import-col-value = Value
import-col-reason = Reason
import-row-text = line { $line }, { $column } "{ $value }": { $reason }
import-row-text-empty = line { $line }: { $reason }
import-errors-link = Every rejected row with its reason (opens in a spreadsheet):
ack-subject = Your report { $reference } was received
ack-thanks = Thank you for your report about container { $code } ({ $address }).
ack-thanks-no-address = Thank you for your report about container { $code }.
ack-problem = You reported: { $problem }
ack-reference = Your reference is { $reference }. We will let you know when its status changes.
follow-button = Follow your report
follow-here = Follow it here: { $url }
status-subject = Your report { $reference }: { $status }
status-changed = Your report { $reference } about container { $code } is now: { $status }.
tour-subject = Tour { $tour } on { $date }
tour-assigned = You are assigned the tour { $tour } on { $date }: { $stops ->
    [one] { $stops } stop
   *[other] { $stops } stops
}, starting from { $start }.
tour-first-stop = the first stop
reset-subject = Reset your Tisseco password
reset-asked = Someone asked to reset your Tisseco password. If it was you, choose a new one within { $minutes } minutes:
reset-button = Choose a new password
reset-not-you = If it was not you, ignore this message: your password stays as it is.
