package io.qadistill.squad;

import java.io.Serializable;

/**
 * A file to read: its fully qualified path, its size, and its rank in the sorted input list, which orders records
 * across files (the first of two records with one id is kept).
 */
record InputFile(int index, String path, long bytes) implements Serializable {}
