-- 0024_crawls (down): the crawler's record goes; the documents it stored stay.
DROP TABLE crawl_pages;
DROP TABLE crawls;
