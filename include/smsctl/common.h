/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file common.h
 * Macros shared by every public header of libsmsctl.
 */
#ifndef SMSCTL_COMMON_H
#define SMSCTL_COMMON_H

/** SMSCTL_BEGIN_DECLS / SMSCTL_END_DECLS wrap declarations in `extern "C"` for C++. */
#ifdef __cplusplus
#define SMSCTL_BEGIN_DECLS extern "C" {
#define SMSCTL_END_DECLS   }
#else
#define SMSCTL_BEGIN_DECLS
#define SMSCTL_END_DECLS
#endif

/** Marks a function as part of the exported ABI (all others are hidden). */
#if defined(SMSCTL_BUILDING_LIBRARY)
#define SMSCTL_API __attribute__((visibility("default")))
#else
#define SMSCTL_API
#endif

#endif
