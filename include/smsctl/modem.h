/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file modem.h
 * A modem: a transport (serial port, pseudo-terminal, TCP, or the built-in simulated modem)
 * and the AT command engine that talks over it.
 *
 * Device strings:
 *  - `/dev/ttyUSB2`, `/dev/serial/by-id/...`: a serial port (libserialport); a pseudo-terminal
 *    is opened as a plain termios file descriptor with the same settings;
 *  - `tcp:HOST:PORT`: raw AT over TCP (ser2net, 4G DTUs);
 *  - `sim:[PROFILE][?fault=NAME[,NAME...][&pin=NNNN]...]`: the simulated modem (see sim.h).
 *
 * The engine is event-driven and single-threaded: smsctl_modem_get_fd(),
 * smsctl_modem_get_timeout() and smsctl_modem_process() let a program drive it from its own
 * poll/epoll/GLib loop; smsctl_modem_command() is a blocking convenience that runs the same
 * loop. One command is in flight at a time; others wait in a queue.
 *
 * Threads: thread-aware, not thread-safe. A handle and everything obtained from it belong to
 * one thread at a time.
 *
 * Ownership: a handle from smsctl_modem_new() is freed with smsctl_modem_free(). A response
 * returned through an out-pointer is freed with smsctl_response_free(); a response passed to a
 * callback is borrowed for the duration of the call.
 */
#ifndef SMSCTL_MODEM_H
#define SMSCTL_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

/** A modem handle (opaque): smsctl_modem_new(), freed with smsctl_modem_free(). */
struct smsctl_modem;
/** Options for smsctl_modem_new() (opaque): smsctl_modem_options_new(), freed with
 *  smsctl_modem_options_free(); NULL means the defaults. */
struct smsctl_modem_options;
/** A command's response (opaque): from smsctl_modem_command(), freed with
 *  smsctl_response_free(); borrowed when passed to a ::smsctl_response_fn. */
struct smsctl_response;
/** The simulated modem (opaque, see sim.h): borrowed from its handle, smsctl_modem_get_sim(). */
struct smsctl_sim;

/** Direction of a traced chunk. */
enum smsctl_trace_dir {
	SMSCTL_TRACE_TX = 1, /**< bytes written to the modem (PIN and PUK masked) */
	SMSCTL_TRACE_RX = 2, /**< bytes read from the modem */
	SMSCTL_TRACE_INFO =
	    3, /**< an event of the engine (timeout, resync, URC dropped), in English */
};

/** Trace callback: data is not NUL-terminated and is borrowed for the call. */
typedef void (*smsctl_trace_fn)(void *userdata, enum smsctl_trace_dir dir, const char *data,
				size_t len);

/** Final result of a command. */
enum smsctl_result {
	SMSCTL_RESULT_NONE = 0,			/**< not finished */
	SMSCTL_RESULT_OK = 1,			/**< OK */
	SMSCTL_RESULT_ERROR = 2,		/**< ERROR */
	SMSCTL_RESULT_CME_ERROR = 3,		/**< +CME ERROR: n|text */
	SMSCTL_RESULT_CMS_ERROR = 4,		/**< +CMS ERROR: n|text */
	SMSCTL_RESULT_NO_CARRIER = 5,		/**< NO CARRIER */
	SMSCTL_RESULT_BUSY = 6,			/**< BUSY */
	SMSCTL_RESULT_NO_ANSWER = 7,		/**< NO ANSWER */
	SMSCTL_RESULT_NO_DIALTONE = 8,		/**< NO DIALTONE */
	SMSCTL_RESULT_NOT_SUPPORTED = 9,	/**< COMMAND NOT SUPPORT (Huawei, ZTE) */
	SMSCTL_RESULT_TOO_MANY_PARAMETERS = 10, /**< TOO MANY PARAMETERS (Huawei) */
	SMSCTL_RESULT_TIMEOUT = 11,		/**< no final result within the timeout */
	SMSCTL_RESULT_GONE = 12,		/**< EOF or EIO: the modem went away */
	SMSCTL_RESULT_CANCELLED = 13,		/**< the engine was closed before it ran */
};

/* ---- Options (NULL means defaults) ---- */

/** @return new options with the defaults (free with smsctl_modem_options_free()), NULL
 *  without memory. */
SMSCTL_API struct smsctl_modem_options *smsctl_modem_options_new(void);
/** Free options; NULL is allowed. */
SMSCTL_API void smsctl_modem_options_free(struct smsctl_modem_options *opts);
/*
 * The setters below return 0, or ::SMSCTL_ERR_INVALID for a NULL opts or a value out of range.
 */
/** Baud rate of a serial port (default 115200; 1 to 4000000). */
SMSCTL_API int smsctl_modem_options_set_baud(struct smsctl_modem_options *opts, unsigned baud);
/** RTS/CTS flow control (default off). */
SMSCTL_API int smsctl_modem_options_set_rtscts(struct smsctl_modem_options *opts, bool on);
/** Default timeout of one command in milliseconds (default 10000; 1 ms to 24 h). */
SMSCTL_API int smsctl_modem_options_set_timeout(struct smsctl_modem_options *opts,
						unsigned timeout_ms);
/** Take the tty's locks (flock and LCK..) on open (default true). */
SMSCTL_API int smsctl_modem_options_set_lock(struct smsctl_modem_options *opts, bool on);
/** Trace every byte exchanged (PIN and PUK masked) through fn (NULL, the default: no
 *  trace); userdata is passed to fn. */
SMSCTL_API int smsctl_modem_options_set_trace(struct smsctl_modem_options *opts, smsctl_trace_fn fn,
					      void *userdata);

/* ---- Life cycle ---- */

/**
 * Create a handle for a device string; no I/O happens yet.
 * @param device a device string (see above).
 * @param opts options, copied; NULL for defaults.
 * @param out the handle (free with smsctl_modem_free()), else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID (bad device string), ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_modem_new(const char *device, const struct smsctl_modem_options *opts,
				struct smsctl_modem **out);
/**
 * Open the transport and lock the port. On failure the detail (which file, which holder, which
 * group) is kept: smsctl_modem_get_error_detail().
 * @return 0, ::SMSCTL_ERR_NOT_FOUND, ::SMSCTL_ERR_PERMISSION, ::SMSCTL_ERR_BUSY,
 *         ::SMSCTL_ERR_NOT_TTY, ::SMSCTL_ERR_IO; ::SMSCTL_ERR_INVALID (NULL handle),
 *         ::SMSCTL_ERR_STATE (already open).
 */
SMSCTL_API int smsctl_modem_open(struct smsctl_modem *m);
/** Close the transport, ending queued commands with ::SMSCTL_RESULT_CANCELLED and destroying
 *  the data of smsctl_modem_set_data(); the handle can be opened again. */
SMSCTL_API void smsctl_modem_close(struct smsctl_modem *m);
/** Close and free a handle; NULL is allowed. */
SMSCTL_API void smsctl_modem_free(struct smsctl_modem *m);

/** The device string given to smsctl_modem_new(). Borrowed until smsctl_modem_free(). */
SMSCTL_API const char *smsctl_modem_get_device(const struct smsctl_modem *m);
/** An English sentence on the last failure (open, I/O, timeout), "" when none. Borrowed
 *  until the next call on the handle. */
SMSCTL_API const char *smsctl_modem_get_error_detail(const struct smsctl_modem *m);
/** The errno kept with the last failure that had one (::SMSCTL_ERR_IO and others), else 0. */
SMSCTL_API int smsctl_modem_get_errno(const struct smsctl_modem *m);
/** After ::SMSCTL_ERR_BUSY: the pid holding the lock (0 if unknown) and its program name
 *  (borrowed, NULL if unknown). */
SMSCTL_API pid_t smsctl_modem_get_lock_holder(const struct smsctl_modem *m, const char **program);
/** The simulated modem behind a `sim:` device (borrowed; valid until smsctl_modem_close()
 *  or smsctl_modem_free()), NULL for other devices and while the handle is not open. */
SMSCTL_API struct smsctl_sim *smsctl_modem_get_sim(struct smsctl_modem *m);

/* ---- Data of layers built on the engine ---- */

/** Destroys data attached with smsctl_modem_set_data(). */
typedef void (*smsctl_destroy_fn)(void *data);

/**
 * Attach data to the handle under a key, for layers built on the engine (the SMS operations of
 * sms.h keep the handle's "prepared" state here). The data describes the open session: it is
 * destroyed by smsctl_modem_close() and smsctl_modem_free(), and when replaced.
 * @param key the address of a static object of the caller, so keys never collide.
 * @param data the data, or NULL to remove the entry (destroying the old one).
 * @param destroy called with data when the entry goes away, or NULL.
 * @return 0, ::SMSCTL_ERR_INVALID (NULL handle or key), ::SMSCTL_ERR_NOMEM (too many keys).
 * @since 0.1
 */
SMSCTL_API int smsctl_modem_set_data(struct smsctl_modem *m, const void *key, void *data,
				     smsctl_destroy_fn destroy);
/** The data attached under key, NULL when none. @since 0.1 */
SMSCTL_API void *smsctl_modem_get_data(const struct smsctl_modem *m, const void *key);

/* ---- Event loop integration ---- */

/** The file descriptor to poll for reading (-1 when closed). */
SMSCTL_API int smsctl_modem_get_fd(const struct smsctl_modem *m);
/** Milliseconds until the engine's next deadline, -1 when none. */
SMSCTL_API int smsctl_modem_get_timeout(const struct smsctl_modem *m);
/** Read what is available without blocking, run callbacks and handle expired deadlines.
 *  @return 0; ::SMSCTL_ERR_GONE / ::SMSCTL_ERR_IO when the transport failed;
 *  ::SMSCTL_ERR_INVALID (NULL handle), ::SMSCTL_ERR_STATE (not open). */
SMSCTL_API int smsctl_modem_process(struct smsctl_modem *m);
/** Block up to timeout_ms (-1: forever) running the loop until something happened (a
 *  response completed or a URC arrived) or the time ran out.
 *  @return 1 when something happened, 0 when timeout_ms passed with nothing;
 *  ::SMSCTL_ERR_INVALID (NULL handle), ::SMSCTL_ERR_STATE (not open), ::SMSCTL_ERR_GONE,
 *  ::SMSCTL_ERR_IO. */
SMSCTL_API int smsctl_modem_wait(struct smsctl_modem *m, int timeout_ms);

/* ---- Commands ---- */

/** Completion callback; resp is borrowed for the call (never NULL). */
typedef void (*smsctl_response_fn)(void *userdata, const struct smsctl_response *resp);

/**
 * Queue a command (without the trailing CR).
 * @param cmd e.g. "AT+CSQ".
 * @param pdu NULL, or the hex to send after the `>` prompt followed by Ctrl-Z (AT+CMGS/CMGW).
 * @param timeout_ms 0 for the default; a PDU command waits at least 60 s after Ctrl-Z.
 * @param fn called once with the final result (also on timeout, EOF and close); userdata is
 *        passed to it.
 * @return 0; ::SMSCTL_ERR_INVALID (NULL handle or cmd), ::SMSCTL_ERR_STATE (not open), or
 *         another negative error when the command cannot be queued.
 */
SMSCTL_API int smsctl_modem_send(struct smsctl_modem *m, const char *cmd, const char *pdu,
				 int timeout_ms, smsctl_response_fn fn, void *userdata);

/**
 * Send a command and wait for its final result (blocking, runs the event loop).
 * @param out if not NULL, the response (free with smsctl_response_free()); set in every case
 *        where the command was sent, NULL otherwise.
 * @param timeout_ms 0 for the handle's default (smsctl_modem_options_set_timeout()).
 * @return 0 on OK; ::SMSCTL_ERR_MODEM on an error result; ::SMSCTL_ERR_TIMEOUT;
 *         ::SMSCTL_ERR_GONE; ::SMSCTL_ERR_INVALID (NULL handle or cmd); ::SMSCTL_ERR_STATE (not
 *         open); other negative errors. On failure smsctl_modem_get_error_detail() says why.
 */
SMSCTL_API int smsctl_modem_command(struct smsctl_modem *m, const char *cmd, int timeout_ms,
				    struct smsctl_response **out);
/** As smsctl_modem_command() with a PDU (hex, not NULL: ::SMSCTL_ERR_INVALID) sent at the
 *  `>` prompt followed by Ctrl-Z. */
SMSCTL_API int smsctl_modem_command_pdu(struct smsctl_modem *m, const char *cmd, const char *pdu,
					int timeout_ms, struct smsctl_response **out);

/** Number of commands written to the modem since it was opened (for measurements). */
SMSCTL_API unsigned long smsctl_modem_get_command_count(const struct smsctl_modem *m);

/* ---- Responses ---- */

/** Free a response from smsctl_modem_command(); NULL is allowed. Never call it on a response
 *  passed to a callback. */
SMSCTL_API void smsctl_response_free(struct smsctl_response *resp);
/** The final result of the command. */
SMSCTL_API enum smsctl_result smsctl_response_get_result(const struct smsctl_response *resp);
/** The command as sent (PIN masked). Borrowed. */
SMSCTL_API const char *smsctl_response_get_command(const struct smsctl_response *resp);
/** The final line as received ("OK", "+CMS ERROR: 42"), "" on timeout/gone. Borrowed. */
SMSCTL_API const char *smsctl_response_get_final(const struct smsctl_response *resp);
/** The numeric CME/CMS code, -1 when none (or only a verbose text was given). */
SMSCTL_API int smsctl_response_get_error_code(const struct smsctl_response *resp);
/** Number of intermediate lines collected for the command. */
SMSCTL_API size_t smsctl_response_get_line_count(const struct smsctl_response *resp);
/** The i-th intermediate line (borrowed), NULL if out of range. */
SMSCTL_API const char *smsctl_response_get_line(const struct smsctl_response *resp, size_t i);
/** Whether the `>` prompt was seen (a PDU command failing before it was never submitted). */
SMSCTL_API bool smsctl_response_get_prompt_seen(const struct smsctl_response *resp);

/* ---- Unsolicited result codes ---- */

/**
 * URC callback.
 * @param line the URC line ("+CMTI: \"SM\",3"), borrowed.
 * @param pdu the second line of a two-line URC (+CMT, +CDS), else NULL; borrowed.
 */
typedef void (*smsctl_urc_fn)(void *userdata, const char *line, const char *pdu);

/**
 * Call fn for every line starting with prefix that is not part of a command's response,
 * including URCs arriving in the middle of a response.
 * @param prefix e.g. "+CMTI:"; copied (at most 64 characters).
 * @param two_line the URC is followed by a PDU line (+CMT:, +CDS:).
 * @param fn the callback (not NULL); userdata is passed to it.
 * @return a positive handler id; ::SMSCTL_ERR_INVALID (NULL handle, prefix or fn, prefix too
 *         long), ::SMSCTL_ERR_NOMEM (also when too many handlers are registered).
 */
SMSCTL_API int smsctl_modem_add_urc_handler(struct smsctl_modem *m, const char *prefix,
					    bool two_line, smsctl_urc_fn fn, void *userdata);
/** Remove a handler by the id smsctl_modem_add_urc_handler() returned.
 *  @return 0, ::SMSCTL_ERR_INVALID (NULL handle), ::SMSCTL_ERR_NOT_FOUND (no such id). */
SMSCTL_API int smsctl_modem_remove_urc_handler(struct smsctl_modem *m, int id);

SMSCTL_END_DECLS

#endif
