/* --export-image: the spec's rootfs and config as an OCI image layout
 * (image-spec v1.0): oci-layout, index.json and blobs/sha256/ holding
 * one uncompressed tar layer, the image config and the manifest. */
#ifndef CTLAUNCH_IMAGE_H
#define CTLAUNCH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "oci_image.h"
#include "spec.h"

struct image_opts {
	bool has_epoch;          /* SOURCE_DATE_EPOCH: no mtime later than it */
	int64_t epoch;
};

struct image_result {
	struct oci_blob manifest, layer;
	uint64_t entries;        /* in the layer */
	int64_t newest;          /* its latest mtime: the image's "created" */
	size_t sockets;          /* left out: no tar entry holds one */
	size_t mount_points;     /* other file systems, left empty */
};

/* Write the layout in dir, which must not exist (its parent must) or
 * be an empty directory; the rootfs is the one spec_check() opened
 * (spec->rootfs_dev and _ino). Reading the rootfs and writing dir are
 * its only effects: on failure what it wrote is removed. -1 with e. */
int image_export(const struct spec *spec, const char *dir, const struct image_opts *o,
		 struct image_result *r, struct ct_err *e);

#endif
