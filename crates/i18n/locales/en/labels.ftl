# The printed A4 label sheet.
labels-title = Tisseco labels
labels-page = Page { $page } of { $pages }
labels-scan = Scan to report a problem
