-- 0016_uploads (down)
DROP TABLE uploads;
