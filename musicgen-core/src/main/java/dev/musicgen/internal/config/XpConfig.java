package dev.musicgen.internal.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * An audiocraft experiment config ({@code xp.cfg}, an omegaconf YAML string stored in checkpoints) with
 * {@code ${a.b}} interpolations resolved, read through dotted paths: {@code cfg.getInt("transformer_lm.dim")}.
 * {@code ${oc.env:VAR}} resolves to the environment variable or, when unset, stays unresolved text; a value of
 * {@code ???} (omegaconf's "missing") reads as null.
 */
public final class XpConfig {
    private static final Pattern INTERP = Pattern.compile("\\$\\{([^}]+)}");

    private final Map<String, Object> root;

    private XpConfig(Map<String, Object> root) {
        this.root = root;
    }

    /** Parses YAML text (as stored under {@code xp.cfg}) with the safe loader: plain maps, lists and scalars. */
    @SuppressWarnings("unchecked")
    public static XpConfig parse(String yaml) {
        Object o;
        try {
            o = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            String m = String.valueOf(e.getMessage()).strip();
            throw new IllegalArgumentException("xp.cfg is not valid YAML: " + m.replaceAll("\\s*\\n\\s*", " "));
        }
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("xp.cfg is not a YAML mapping");
        }
        return of((Map<String, Object>) o);
    }

    /**
     * The {@code xp.cfg} a checkpoint stores: YAML text ({@link #parse}) or an already-unpickled mapping ({@link #of});
     * null for anything else, absent included, so the caller can say which file lacks it.
     */
    public static XpConfig fromStored(Object stored) {
        if (stored instanceof String) {
            return parse((String) stored);
        }
        if (stored instanceof Map) {
            return of((Map<?, ?>) stored);
        }
        return null;
    }

    /** Wraps an already-parsed tree (e.g. an omegaconf DictConfig from a checkpoint). */
    @SuppressWarnings("unchecked")
    public static XpConfig of(Map<?, ?> tree) {
        Map<String, Object> copy = (Map<String, Object>) deepCopy(tree);
        XpConfig c = new XpConfig(copy);
        c.resolveAll(copy, 0);
        return c;
    }

    private static Object deepCopy(Object o) {
        if (o instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                m.put(String.valueOf(e.getKey()), deepCopy(e.getValue()));
            }
            return m;
        }
        if (o instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object x : (List<?>) o) {
                l.add(deepCopy(x));
            }
            return l;
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private void resolveAll(Object node, int depth) {
        if (node instanceof Map) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) node).entrySet()) {
                if (e.getValue() instanceof String) {
                    e.setValue(resolve((String) e.getValue(), 0));
                } else {
                    resolveAll(e.getValue(), depth + 1);
                }
            }
        } else if (node instanceof List) {
            List<Object> l = (List<Object>) node;
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) instanceof String) {
                    l.set(i, resolve((String) l.get(i), 0));
                } else {
                    resolveAll(l.get(i), depth + 1);
                }
            }
        }
    }

    /** A resolved value longer than this is refused (real values are names and numbers). */
    static final int MAX_VALUE_CHARS = 64 * 1024;

    private final Map<String, Object> resolved = new java.util.HashMap<>();

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private Object resolve(String s, int depth) {
        if (depth > 16) {
            throw new IllegalArgumentException("xp.cfg: interpolation cycle involving '" + s + "'");
        }
        if ("???".equals(s)) {
            return null;
        }
        Matcher m = INTERP.matcher(s);
        if (!m.find()) {
            return s;
        }
        // a value that is exactly one interpolation keeps the referenced node's type
        if (m.start() == 0 && m.end() == s.length()) {
            return lookupInterp(m.group(1), s, depth);
        }
        StringBuilder sb = new StringBuilder();
        m.reset();
        while (m.find()) {
            Object v = lookupInterp(m.group(1), m.group(), depth);
            m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(v)));
            if (sb.length() > MAX_VALUE_CHARS) {
                throw new IllegalArgumentException("xp.cfg: the interpolations of '" + shorten(s) + "' expand past "
                        + MAX_VALUE_CHARS + " characters");
            }
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private Object lookupInterp(String expr, String original, int depth) {
        if (expr.startsWith("oc.env:")) {
            String var = expr.substring(7).split(",", 2)[0].trim();
            String v = System.getenv(var);
            return v != null ? v : original;
        }
        if (expr.contains(":")) {
            return original; // other resolvers are not used on the inference path
        }
        // each referenced path resolves once: values that reference others twice per level must not expand
        // exponentially in time
        if (resolved.containsKey(expr)) {
            return resolved.get(expr);
        }
        Object v = rawGet(expr);
        if (v instanceof String) {
            v = resolve((String) v, depth + 1);
        }
        resolved.put(expr, v);
        return v;
    }

    @SuppressWarnings("unchecked")
    private Object rawGet(String path) {
        Object cur = root;
        for (String part : path.split("\\.")) {
            if (!(cur instanceof Map)) {
                return null;
            }
            cur = ((Map<String, Object>) cur).get(part);
        }
        return cur;
    }

    /** The value at a dotted path, or null when absent. */
    public Object get(String path) {
        return rawGet(path);
    }

    public boolean has(String path) {
        return rawGet(path) != null;
    }

    public String getString(String path) {
        Object v = require(path);
        return String.valueOf(v);
    }

    public String getString(String path, String dflt) {
        Object v = get(path);
        return v == null ? dflt : String.valueOf(v);
    }

    public int getInt(String path) {
        return toNumber(path, require(path)).intValue();
    }

    public int getInt(String path, int dflt) {
        Object v = get(path);
        return v == null ? dflt : toNumber(path, v).intValue();
    }

    public double getDouble(String path) {
        return toNumber(path, require(path)).doubleValue();
    }

    public double getDouble(String path, double dflt) {
        Object v = get(path);
        return v == null ? dflt : toNumber(path, v).doubleValue();
    }

    public boolean getBool(String path, boolean dflt) {
        Object v = get(path);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        return Boolean.parseBoolean(String.valueOf(v));
    }

    @SuppressWarnings("unchecked")
    public List<Object> getList(String path) {
        Object v = get(path);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new IllegalArgumentException("xp.cfg: '" + path + "' is not a list: " + v);
        }
        return Collections.unmodifiableList((List<Object>) v);
    }

    public int[] getIntArray(String path) {
        List<Object> l = getList(path);
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toNumber(path, l.get(i)).intValue();
        }
        return out;
    }

    /** The sub-config at {@code path}. */
    @SuppressWarnings("unchecked")
    public XpConfig child(String path) {
        Object v = require(path);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("xp.cfg: '" + path + "' is not a mapping");
        }
        return new XpConfig((Map<String, Object>) v);
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(root);
    }

    private Object require(String path) {
        Object v = get(path);
        if (v == null) {
            throw new IllegalArgumentException("xp.cfg has no value at '" + path + "'");
        }
        return v;
    }

    private static Number toNumber(String path, Object v) {
        if (v instanceof Number) {
            return (Number) v;
        }
        try {
            return Double.parseDouble(String.valueOf(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("xp.cfg: '" + path + "' is not a number: " + v);
        }
    }
}
