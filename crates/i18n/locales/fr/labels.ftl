# The printed A4 label sheet.
labels-title = Étiquettes Tisseco
labels-page = Page { $page } sur { $pages }
labels-scan = Scannez pour signaler un problème
