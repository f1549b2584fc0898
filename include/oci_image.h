/* The JSON documents of an OCI image layout (image-spec v1.0): the
 * image config made from a spec, the manifest, the index and the
 * oci-layout file. Pure: text in memory, exactly the bytes whose
 * digests name them; image.c writes them. */
#ifndef CTLAUNCH_OCI_IMAGE_H
#define CTLAUNCH_OCI_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "sha256.h"
#include "spec.h"

#define OCI_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"

/* A blob of the layout: its digest (hex) and size. */
struct oci_blob {
	char hex[SHA256_HEX];
	uint64_t size;
};

/* The image's own facts besides the spec. */
struct oci_image_opts {
	const char *arch;        /* GOARCH name: "amd64", "arm64" (oci_arch()) */
	const char *layer_diff;  /* the layer's digest, hex: its diff_id */
	int64_t created;         /* seconds since the epoch */
};

/* The OCI architecture (GOARCH) of the machine ctlaunch was built
 * for; NULL for one it has no name for. */
const char *oci_arch(void);

/* The image config: its time (created, and its history entry's), the platform, config.Cmd (the spec's command),
 * Env (PATH as a run gives it, then the spec's env), WorkingDir, User
 * ("UID:GID", as spec_check resolved it), Labels (ctlaunch.name,
 * ctlaunch.hostname), rootfs.diff_ids and one history entry. */
char *oci_image_config(const struct spec *spec, const struct oci_image_opts *o);

/* The manifest: the config's and the layer's descriptors. */
char *oci_image_manifest(const struct oci_blob *config, const struct oci_blob *layer);

/* index.json: the manifest, tagged ref (org.opencontainers.image.ref.name). */
char *oci_image_index(const struct oci_blob *manifest, const char *ref);

/* The oci-layout file. */
const char *oci_image_layout(void);

/* RFC 3339 UTC time of t, "2026-12-03T18:00:00Z", into buf. */
#define OCI_TIME_MAX 128
void oci_time_format(int64_t t, char buf[OCI_TIME_MAX]);

#endif
