package dev.musicgen.internal.hub;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Repository ids, file names and revisions: the rules they must follow, and how they go into a URL. */
final class Names {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private Names() {}

    static void requireText(String value, String name, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    name + " is required (" + what + "), but is: " + (value == null ? "null" : "'" + value + "'"));
        }
    }

    static void validateRepoId(String repoId) {
        requireText(repoId, "repoId", "a Hub repository id like facebook/musicgen-small");
        if (!REPO_ID.matcher(repoId).matches()
                || repoId.contains("--")
                || repoId.contains("..")
                || repoId.length() > 96
                || repoId.endsWith(".git")) {
            throw new IllegalArgumentException("repoId must be 'name' or 'owner/name' (letters, digits, '-', '_', '.';"
                    + " no '--' or '..'; at most 96 characters) or an existing local directory, but is: '" + repoId
                    + "'");
        }
    }

    static void validateFilename(String filename) {
        requireText(filename, "filename", "a file inside the repository, e.g. state_dict.bin");
        boolean bad = filename.startsWith("/") || filename.contains("\\") || filename.indexOf('\0') >= 0;
        for (String seg : filename.split("/", -1)) {
            bad |= seg.isEmpty() || seg.equals(".") || seg.equals("..");
        }
        if (bad) {
            throw new IllegalArgumentException("filename must be a relative path inside the repository with '/' "
                    + "separators and no '.', '..' or empty parts, but is: '" + filename + "'");
        }
    }

    static void validateRevision(String revision) {
        boolean bad = revision.isBlank()
                || revision.startsWith("/")
                || revision.contains("\\")
                || revision.indexOf('\0') >= 0;
        for (String seg : revision.split("/", -1)) {
            bad |= seg.isEmpty() || seg.equals(".") || seg.equals("..");
        }
        if (bad) {
            throw new IllegalArgumentException(
                    "revision must be a branch, tag or commit hash (e.g. main), but is: '" + revision + "'");
        }
    }

    /** An ETag as {@code huggingface_hub} normalises it: without {@code W/} and quotes. */
    static String normalizeEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    static String encodeSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String encodePath(String filename) {
        StringBuilder sb = new StringBuilder();
        for (String seg : filename.split("/", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(encodeSegment(seg));
        }
        return sb.toString();
    }
}
