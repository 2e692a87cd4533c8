DROP TABLE download_links;
