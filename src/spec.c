/* The spec: a YAML file -> struct spec, in layers: spec_yaml.c reads
 * the file into a tree (spec_tree.c), spec_keys.c walks the tree
 * against the key tables, spec_value.c converts each value. Here: the
 * whole, and the overrides from the command line. */
#include <string.h>

#include "spec.h"
#include "spec_keys.h"
#include "spec_tree.h"
#include "spec_value.h"
#include "spec_yaml.h"
#include "state.h"

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

/* "resources.cpuset.cpus": names joined by dots, as the key tables
 * spell them (letters, digits, _ and -; env's names as a shell does). */
static bool set_key_valid(const char *key)
{
	for (const char *p = key;; p++) {
		size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789_-");

		if (n == 0 || (p[n] && p[n] != '.'))
			return false;
		p += n;
		if (!*p)
			return true;
	}
}

/* The --set arguments into the tree at *root (tree: false when the file
 * could not be read, and only the arguments themselves are checked). */
static void apply_sets(const struct spec *spec, struct ynode **root, bool tree,
		       struct ct_diags *d)
{
	for (size_t i = 0; i < spec->n_sets; i++) {
		const char *arg = spec->sets[i], *eq = strchr(arg, '=');
		struct ct_loc at = { .line = (unsigned)i + 1, .set = arg };
		cleanup_free char *key = NULL;
		struct ynode *value = NULL;

		if (!eq) {
			ct_diag(d, spec->file, at, NULL,
				"expected KEY=VALUE (e.g. resources.memory=128M)");
			continue;
		}
		key = xasprintf("%.*s", (int)(eq - arg), arg);
		if (!set_key_valid(key)) {
			ct_diag(d, spec->file, at, NULL,
				"invalid key '%s' (expected names joined by dots, e.g. "
				"resources.cpuset.cpus)", key);
			continue;
		}
		if (yaml_tree(spec->file, at, eq + 1, strlen(eq + 1), d, &value) < 0)
			continue;
		/* Nothing after "=": null, as "key:" is in a file. */
		if (!value)
			value = ynode_scalar("", true, at);
		if (tree)
			ynode_set(root, key, value, at, spec->file, d);
		else
			ynode_free(value);
	}
}

int spec_load(const char *path, struct spec *spec, struct ct_diags *d)
{
	return spec_load_set(path, NULL, 0, spec, d);
}

int spec_load_set(const char *path, char *const *sets, size_t n_sets, struct spec *spec,
		  struct ct_diags *d)
{
	size_t before = d->n, len = 0;
	cleanup_free char *text = NULL;
	struct ynode *root = NULL;
	bool tree = false;

	memset(spec, 0, sizeof *spec);
	spec->file = xstrdup(path);
	spec->dir = dir_of(path);
	spec->no_new_privileges = true;
	spec->sets = xcalloc(n_sets + 1, sizeof *spec->sets);
	for (size_t i = 0; i < n_sets; i++)
		spec->sets[spec->n_sets++] = xstrdup(sets[i]);
	text = yaml_read_file(path, &len, d);
	/* What a run records, so that a --join can tell the spec it plans
	 * from is the one the container was started from. */
	if (text)
		spec->digest = state_digest(text, len);
	if (text)
		tree = yaml_tree(path, (struct ct_loc){ 0 }, text, len, d, &root) == 0;
	apply_sets(spec, &root, tree, d);
	if (tree)
		spec_keys_walk(spec, root, d);
	ynode_free(root);
	if (d->n > before) {
		spec_free(spec);
		return -1;
	}
	return 0;
}

void spec_free(struct spec *spec)
{
	if (!spec)
		return;
	free(spec->file);
	free(spec->dir);
	for (size_t i = 0; i < spec->n_sets; i++)
		free(spec->sets[i]);
	free(spec->sets);
	spec_keys_free(spec);   /* name, rootfs, hostname, workdir, user, command */
	free(spec->login);      /* spec_check()'s, not a key's */
	free(spec->home);
	for (size_t i = 0; i < spec->n_env; i++) {
		free(spec->env[i].key);
		free(spec->env[i].value);
	}
	free(spec->env);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		free(spec->mounts[i].source);
		free(spec->mounts[i].target);
	}
	free(spec->mounts);
	free(spec->rlimits);     /* rlimits[].name is static */
	for (size_t i = 0; i < spec->n_layers; i++)
		free(spec->layers[i].path);
	free(spec->overlay_dir);
	sc_profile_free(spec->seccomp_profile);
	memset(spec, 0, sizeof *spec);
}

int spec_set_name(struct spec *spec, const char *name, struct ct_err *e)
{
	if (!spec_name_valid(name))
		return ct_fail(e, 0, "--name: invalid name '%s' (" NAME_RULE ")", name);
	free(spec->name);
	spec->name = xstrdup(name);
	spec->name_at = (struct ct_loc){ 0 };
	return 0;
}
