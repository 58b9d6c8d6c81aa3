/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rules of the diagnosis as a table: one row per kind of finding, with its id, severity,
 * layer and texts. The texts are msgids (N_()), translated when the finding is made; a text
 * with printf conversions is filled in by the code that decides (rules.c, rules-radio.c).
 * A NULL text is given by that code: the system's own words (an open error, a +CME
 * explanation) or, where a finding's sentences vary independently, the row that holds the
 * variant. Several rows may share an id: they are the variants of one finding. */
#include <stdarg.h>
#include <stdio.h>

#include <smsctl/diagnose.h>

#include "diagnose/internal.h"
#include "i18n.h"

#define E SMSCTL_SEVERITY_ERROR
#define W SMSCTL_SEVERITY_WARNING
#define I SMSCTL_SEVERITY_INFO
#define K SMSCTL_SEVERITY_OK

/* The detail and remedy of every <layer>.unknown finding. */
#define UNKNOWN_DETAIL                                                                             \
	N_("%s was answered '%s' without the line that carries the value, so this "                \
	   "check could not be made.")
#define UNKNOWN_REMEDY                                                                             \
	N_("Run the diagnosis again in a minute. If the answer stays the same, the modem's "       \
	   "firmware does not report this value: update the firmware or ask the seller, and "      \
	   "check this by hand (smsctl -v diagnose shows every command and answer).")
#define SMSC_SET_REMEDY                                                                            \
	N_("Set the SMS centre number of the SIM card's operator once by sending "                 \
	   "AT+CSCA=\"+NUMBER\",145 to the modem (the number is on the operator's website, "       \
	   "or in a phone with this SIM: Messages > Settings > SMS centre), or give it with "      \
	   "each message: smsctl send --smsc +NUMBER.")
#define PORT_CHECK_REMEDY                                                                          \
	N_("Check that the modem is plugged in and powered (lsusb should list it) and use the "    \
	   "right port: 'smsctl ports --probe' lists the ports that answer AT commands. USB "      \
	   "modems usually appear as /dev/ttyUSB0 to /dev/ttyUSB3 or /dev/ttyACM0; "               \
	   "/dev/serial/by-id/ gives names that do not change.")
#define GONE_REMEDY                                                                                \
	N_("Check the USB cable and the power supply (4G modules need a 2 A "                      \
	   "supply; a weak USB hub makes them restart when they transmit), then "                  \
	   "run the diagnosis again.")
#define NO_ANSWER_REMEDY                                                                           \
	N_("Check that this is the modem's AT port ('smsctl ports --probe' "                       \
	   "finds "                                                                                \
	   "it) and the baud rate (--baud; most modems use 115200), then "                         \
	   "power-cycle the modem: unplug it (or its power supply) for ten "                       \
	   "seconds.")
#define RADIO_OFF_DETAIL                                                                           \
	N_("With the radio off the modem cannot reach the network: nothing can be sent "           \
	   "or received.")
#define RADIO_OFF_REMEDY                                                                           \
	N_("Switch the radio on by sending AT+CFUN=1 to the modem (with any terminal "             \
	   "program, e.g. picocom or minicom) or power-cycle it. If it switches off "              \
	   "again by itself, check the power supply and the temperature.")
#define SIGNAL_NONE_REMEDY                                                                         \
	N_("Check that the antenna is connected (screw it on firmly; a modem without "             \
	   "antenna hears almost nothing), move the modem or its antenna to a window or "          \
	   "higher up, away from metal cabinets, and check that the operator covers "              \
	   "this place with the network types the modem supports (many 2G and 3G "                 \
	   "networks have been switched off).")
#define NOT_REGISTERED_REMEDY                                                                      \
	N_("Turn automatic network selection on by sending AT+COPS=0 to the modem and "            \
	   "wait a minute; check that the SIM card is activated (try it in a phone). "             \
	   "Restart the modem if nothing changes.")
#define ROAMING_DETAIL                                                                             \
	N_("The SIM card is registered on a network other than its own. SMS may cost "             \
	   "more, and some plans do not allow SMS while roaming.")
#define ROAMING_REMEDY                                                                             \
	N_("Nothing to do if roaming is intended; otherwise use a local SIM "                      \
	   "card.")
#define SMS_SERVICE_DETAIL N_("+CSMS reports: sending %s, receiving %s.")
#define SMS_SERVICE_REMEDY                                                                         \
	N_("Some modems only offer SMS once the SIM card is ready and registered: "                \
	   "restart the modem and run the diagnosis again. Data-only modules and "                 \
	   "firmware (some LTE Cat-M/NB-IoT builds) have no SMS at all: check the "                \
	   "module's model and firmware with its seller.")
#define STORAGE_FULL_REMEDY                                                                        \
	N_("Fetch and delete the stored messages (smsctl recv reads them, "                        \
	   "smsctl delete removes them), and let the program that receives SMS "                   \
	   "delete each message after reading it.")
#define INDICATIONS_DETAIL                                                                         \
	N_("Messages are stored without telling the computer: a program waiting for "              \
	   "+CMTI or +CMT sees nothing and has to look for new messages itself.")
#define INDICATIONS_REMEDY                                                                         \
	N_("Nothing to do when messages are fetched regularly (smsctl recv "                       \
	   "switches announcements on while it runs). To have them announced, "                    \
	   "send AT+CNMI=2,1,0,0,0 to the modem.")
#define MODEM_MANAGER_DETAIL                                                                       \
	N_("ModemManager (the system service that sets up mobile broadband "                       \
	   "connections) has taken the port and talks to the modem itself.")
#define BUSY_LOCK_DETAIL                                                                           \
	N_("Another program holds the port's lock; only one "                                      \
	   "program at a time can talk to a modem port.")

const struct diag_rule diag_rules[R_N] = {
    /* ---- port ---- */
    [R_PORT_PERMISSION_LOGIN] = {"port.permission", E, "port.", N_("No permission to open %s"),
				 N_("%s belongs to group '%s' (mode %03o). You are a member, but "
				    "this "
				    "login session started before you were added."),
				 N_("Log out and log in again (or run 'newgrp %s'), then try "
				    "again.")},
    [R_PORT_PERMISSION_GROUP] =
	{"port.permission", E, "port.", N_("No permission to open %s"),
	 N_("%s belongs to group '%s' (mode %03o) and this user is not in "
	    "that "
	    "group."),
	 N_("Add the user to the group: sudo usermod -aG %s $USER; then log "
	    "out "
	    "and log in again.")},
    [R_PORT_PERMISSION] = {"port.permission", E, "port.", N_("No permission to open %s"), NULL,
			   N_("Add the user to the group that owns the port (usually dialout): "
			      "sudo "
			      "usermod -aG dialout $USER; then log out and log in again.")},
    /* port.busy: the summary by what is known of the holder ... */
    [R_PORT_BUSY_HOLDER] = {"port.busy", E, "port.", N_("Port %s is in use by %s (PID %d)"), NULL,
			    NULL},
    [R_PORT_BUSY_PID] = {"port.busy", E, "port.",
			 N_("Port %s is in use by the process with PID %d"), NULL, NULL},
    [R_PORT_BUSY] = {"port.busy", E, "port.", N_("Port %s is in use by another program"), NULL,
		     NULL},
    /* ... the detail and remedy by who the holder is. */
    [R_PORT_BUSY_MM_USB] = {"port.busy", E, "port.", NULL, MODEM_MANAGER_DETAIL,
			    N_("Tell ModemManager to leave this modem alone: put the line\n"
			       "  ATTRS{idVendor}==\"%s\", ATTRS{idProduct}==\"%s\", "
			       "ENV{ID_MM_DEVICE_IGNORE}=\"1\"\n"
			       "into /etc/udev/rules.d/77-smsctl-mm-ignore.rules, run 'sudo "
			       "udevadm control --reload && sudo udevadm trigger' and "
			       "replug the "
			       "modem. If nothing on this machine needs ModemManager, stop "
			       "it "
			       "instead: sudo systemctl disable --now ModemManager.")},
    [R_PORT_BUSY_MM] = {"port.busy", E, "port.", NULL, MODEM_MANAGER_DETAIL,
			N_("Tell ModemManager to leave this modem alone: add a udev "
			   "rule "
			   "setting ENV{ID_MM_DEVICE_IGNORE}=\"1\" for the modem's USB "
			   "vendor and product id, then replug it. If nothing on this "
			   "machine needs ModemManager, stop it instead: sudo systemctl "
			   "disable --now ModemManager.")},
    [R_PORT_BUSY_STOP] = {"port.busy", E, "port.", NULL, BUSY_LOCK_DETAIL,
			  N_("Stop %s (PID %d) or wait until it is done, then try again. "
			     "Only one program at a time can talk to a modem port.")},
    [R_PORT_BUSY_FIND] = {"port.busy", E, "port.", NULL, BUSY_LOCK_DETAIL,
			  N_("Find the program with 'sudo fuser -v %s' and stop it, then "
			     "try again.")},
    [R_PORT_NOT_TTY] = {"port.not_found", E, "port.", N_("%s is not a serial port"), NULL,
			PORT_CHECK_REMEDY},
    [R_PORT_NOT_FOUND] = {"port.not_found", E, "port.", N_("Port %s does not exist"), NULL,
			  PORT_CHECK_REMEDY},
    [R_PORT_CANNOT_OPEN] = {"port.not_found", E, "port.", N_("Port %s cannot be opened"), NULL,
			    PORT_CHECK_REMEDY},
    [R_PORT_OK] = {"port.ok", K, "port.", N_("Port %s is open"), NULL, NULL},
    [R_PORT_NOISE_SAMPLE] = {"port.noise", W, "port.",
			     N_("Garbage on %s: wrong baud rate or not an AT port"),
			     N_("%zu of %zu bytes received were not text (%s)."),
			     N_("Try the usual baud rates (--baud 115200, 57600, 9600) or another "
				"port of "
				"the "
				"modem: diagnostic (DM/QCDM) and GPS (NMEA) ports do not speak AT. "
				"A loose "
				"cable or a long unshielded serial line also garbles bytes.")},
    [R_PORT_NOISE] = {"port.noise", W, "port.",
		      N_("Garbage on %s: wrong baud rate or not an AT port"),
		      N_("%zu of %zu bytes received were not text."),
		      N_("Try the usual baud rates (--baud 115200, 57600, 9600) or another "
			 "port of "
			 "the "
			 "modem: diagnostic (DM/QCDM) and GPS (NMEA) ports do not speak AT. "
			 "A loose "
			 "cable or a long unshielded serial line also garbles bytes.")},
    [R_PORT_NO_ANSWER_SIBLING] = {"port.no_answer", E, "port.",
				  N_("The modem does not answer on %s"),
				  N_("AT got no answer within %u s. Other ports of the same USB "
				     "device "
				     "that answer AT: %s."),
				  N_("Use the port that answers: smsctl --device %s diagnose. USB "
				     "modems "
				     "have several ports and only some of them speak AT.")},
    [R_PORT_NO_ANSWER_SILENT] = {"port.no_answer", E, "port.",
				 N_("The modem does not answer on %s"),
				 N_("AT got no answer within %u s; the other ports of the same "
				    "USB "
				    "device did not answer either."),
				 NO_ANSWER_REMEDY},
    [R_PORT_NO_ANSWER] = {"port.no_answer", E, "port.", N_("The modem does not answer on %s"),
			  N_("AT got no answer within %u s."), NO_ANSWER_REMEDY},
    [R_PORT_STOPPED] = {"port.no_answer", E, "port.", N_("The modem stopped answering on %s"),
			N_("No answer to %s within %u s."),
			N_("Power-cycle the modem (unplug it or its power supply for ten "
			   "seconds) and run the diagnosis again; if it keeps hanging, check "
			   "the power supply and update the modem's firmware.")},
    /* ---- modem ---- */
    [R_MODEM_GONE] = {"modem.gone", E, "modem.",
		      N_("The modem went away during the check (unplugged or restarted)"),
		      N_("The port closed or failed after %s; the modem was unplugged, lost "
			 "power or restarted."),
		      GONE_REMEDY},
    [R_MODEM_GONE_SILENT] = {"modem.gone", E, "modem.",
			     N_("The modem went away during the check (unplugged or restarted)"),
			     N_("The port opened, then closed or failed at %s before the modem "
				"answered "
				"anything; the modem was unplugged, lost power or restarted."),
			     GONE_REMEDY},
    [R_MODEM_OK_MAKER] = {"modem.ok", K, "modem.", N_("The modem answers AT commands (%s)"), NULL,
			  NULL},
    [R_MODEM_OK] = {"modem.ok", K, "modem.", N_("The modem answers AT commands"), NULL, NULL},
    [R_MODEM_UNKNOWN] = {"modem.unknown", W, "modem.", N_("The radio state could not be read"),
			 UNKNOWN_DETAIL, UNKNOWN_REMEDY},
    [R_MODEM_AIRPLANE] = {"modem.radio_off", E, "modem.",
			  N_("The modem is in airplane mode (+CFUN: 4)"), RADIO_OFF_DETAIL,
			  RADIO_OFF_REMEDY},
    [R_MODEM_RADIO_OFF] = {"modem.radio_off", E, "modem.",
			   N_("The modem's radio is off (+CFUN: %d)"), RADIO_OFF_DETAIL,
			   RADIO_OFF_REMEDY},
    /* ---- SIM ---- */
    [R_SIM_UNKNOWN] = {"sim.unknown", W, "sim.", N_("The state of the SIM card could not be read"),
		       UNKNOWN_DETAIL, UNKNOWN_REMEDY},
    [R_SIM_OK_PIN] = {"sim.ok", K, "sim.", N_("SIM card ready (the PIN given was accepted)"),
		      N_("ICCID %s."), NULL},
    [R_SIM_OK] = {"sim.ok", K, "sim.", N_("SIM card ready"), N_("ICCID %s."), NULL},
    [R_SIM_ABSENT] = {"sim.absent", E, "sim.", N_("No SIM card detected"),
		      N_("The modem answered '%s': it sees no SIM card. %s"),
		      N_("Switch the modem off, insert the SIM card (chip down, cut corner as "
			 "drawn "
			 "on the slot) until the tray or spring clicks, and switch it on again. "
			 "If it "
			 "is inserted, clean the chip and try the card in a phone.")},
    [R_SIM_PIN_WRONG] = {"sim.pin_required", E, "sim.", N_("The SIM card refused the PIN given"),
			 N_("The SIM card still asks for its PIN ('%s') after the "
			    "PIN given was entered: it is wrong. Each wrong "
			    "PIN uses up one of three tries."),
			 N_("Check the PIN (it came with the SIM card) before trying again: "
			    "after "
			    "three wrong PINs the card needs its PUK. Do not run smsctl with a "
			    "wrong PIN in a loop.")},
    [R_SIM_PIN] = {"sim.pin_required", E, "sim.", N_("The SIM card is locked with a PIN"),
		   N_("The modem answered '%s': the SIM card needs its PIN before it can "
		      "be "
		      "used. The diagnosis enters no PIN unless one is given."),
		   N_("Give the PIN to smsctl with --pin-file FILE (or $SMSCTL_PIN), or "
		      "remove the PIN lock once with a phone (Settings > Security > SIM "
		      "lock). Three wrong PINs lock the card.")},
    [R_SIM_PUK] = {"sim.puk_required", E, "sim.",
		   N_("The SIM card is locked: PUK needed (the PIN was entered wrongly too "
		      "often)"),
		   N_("The modem answered '%s'. %s"),
		   N_("Get the PUK from the operator (customer service, the shop, or the card "
		      "the "
		      "SIM came on) and unlock the card in a phone, setting a new PIN. Do not "
		      "guess: ten wrong PUKs destroy the card.")},
    [R_SIM_BLOCKED] = {"sim.blocked", E, "sim.", N_("The SIM card is permanently blocked"),
		       N_("The modem answered '%s'. %s"),
		       N_("The card cannot be unlocked any more: ask the operator for a "
			  "replacement "
			  "SIM card with the same number.")},
    [R_SIM_BUSY] = {"sim.busy", W, "sim.", N_("The SIM card is still starting up"),
		    N_("The modem answered '%s': the SIM card is busy (it is read after "
		       "power-on "
		       "or a restart). The checks that need the SIM were skipped."),
		    N_("Wait half a minute and run the diagnosis again. If the SIM card stays "
		       "busy, "
		       "switch the modem off, reseat the card and switch it on again.")},
    [R_SIM_LOCKED_DEVICE] = {"sim.pin_required", E, "sim.",
			     N_("The modem is locked to another SIM card or operator"),
			     N_("The modem answered '%s': it asks for a network or device unlock "
				"code, not "
				"the SIM's PIN. %s"),
			     N_("Use a SIM card of the operator the modem was sold for, or ask "
				"the seller "
				"for the unlock code.")},
    [R_SIM_FAILURE] = {"sim.failure", E, "sim.",
		       N_("The SIM card is not working (damaged or bad contact)"),
		       N_("The modem answered '%s'. %s"),
		       N_("Switch the modem off, take the SIM card out, clean the gold contacts "
			  "with a "
			  "dry cloth, insert it again (chip down) and switch on. If it still "
			  "fails, "
			  "try the card in a phone; a dead card is replaced by the operator.")},
    /* ---- signal ---- */
    [R_SIGNAL_UNKNOWN] = {"signal.unknown", W, "signal.",
			  N_("The signal strength could not be read"), UNKNOWN_DETAIL,
			  UNKNOWN_REMEDY},
    [R_SIGNAL_NONE] = {"signal.none", E, "signal.", N_("No signal"),
		       N_("Signal: %s, and the modem is not registered."), SIGNAL_NONE_REMEDY},
    [R_SIGNAL_NONE_UNMEASURED] = {"signal.none", E, "signal.", N_("No signal"),
				  N_("The modem reports no signal level (+CSQ 99: not known) and "
				     "is not "
				     "registered to any network."),
				  SIGNAL_NONE_REMEDY},
    [R_SIGNAL_WEAK] = {"signal.weak", W, "signal.", N_("Weak signal: %s"),
		       N_("With a weak signal messages are sent slowly, fail now and then, or "
			  "arrive "
			  "late."),
		       N_("Connect the antenna firmly, move the modem or its antenna to a window "
			  "or "
			  "higher up, away from metal cabinets and other electronics; in a "
			  "basement "
			  "use an external antenna on a cable.")},
    [R_SIGNAL_OK] = {"signal.ok", K, "signal.", N_("Signal: %s"), NULL, NULL},
    [R_SIGNAL_OK_UNREPORTED] = {"signal.ok", K, "signal.",
				N_("Signal level not reported by the modem"), NULL, NULL},
    /* ---- registration ---- */
    [R_NET_UNKNOWN] = {"net.unknown", W, "net.", N_("The network registration could not be read"),
		       UNKNOWN_DETAIL, UNKNOWN_REMEDY},
    [R_NET_OK_OPERATOR] = {"net.ok", K, "net.", N_("Registered on the network (%s)"), NULL, NULL},
    [R_NET_OK] = {"net.ok", K, "net.", N_("Registered on the network"), NULL, NULL},
    [R_NET_PS_ONLY] = {"net.ps_only", W, "net.",
		       N_("Registered for data only (LTE/packet), not for calls and SMS: SMS may "
			  "fail"),
		       N_("+CREG shows no registration while +CGREG/+CEREG does. SMS then only "
			  "works "
			  "if "
			  "the network carries it over LTE (SMS over SGs or IMS). Data-only SIM "
			  "cards "
			  "(IoT cards) often cannot send SMS to phones at all."),
		       N_("Check with the operator that the SIM card's plan includes SMS. Let the "
			  "modem use 2G/3G as well as 4G (automatic network mode), or enable SMS "
			  "over "
			  "IMS in the modem's settings if the operator supports it.")},
    [R_NET_DENIED] = {"net.denied", E, "net.",
		      N_("The network refused the SIM card (registration denied)"),
		      N_("The network rejects this SIM card. The usual reasons: the line is "
			 "suspended for an unpaid bill or no credit, the SIM was never activated "
			 "or "
			 "its real-name registration is missing, the number was cancelled, or the "
			 "operator blocked it (e.g. for sending too many messages)."),
		      N_("Call the operator or check the account: pay the bill or top up, "
			 "activate "
			 "the SIM and complete its registration; then restart the modem. Trying "
			 "the "
			 "card in a phone shows the same.")},
    [R_NET_SEARCHING] = {"net.searching", E, "net.", N_("Searching for a network, not registered"),
			 N_("The modem is looking for a network it may use but has not found "
			    "one. Right "
			    "after power-on this takes up to a minute."),
			 N_("Wait a minute and run the diagnosis again. If it keeps searching: "
			    "check the "
			    "antenna, move the modem to a better place, and check that the SIM "
			    "card's "
			    "operator covers this place with the network types the modem "
			    "supports.")},
    [R_NET_DEREGISTERED] = {"net.not_registered", E, "net.", N_("Not registered to a network"),
			    N_("The modem was told not to register (+COPS: 2, deregistered)."),
			    NOT_REGISTERED_REMEDY},
    [R_NET_EMERGENCY_ONLY] = {"net.not_registered", E, "net.", N_("Not registered to a network"),
			      N_("The modem may only make emergency calls on this network."),
			      NOT_REGISTERED_REMEDY},
    [R_NET_NOT_REGISTERED] = {"net.not_registered", E, "net.", N_("Not registered to a network"),
			      N_("The modem is not registered and not trying to register."),
			      NOT_REGISTERED_REMEDY},
    [R_NET_ROAMING_OPERATOR] = {"net.roaming", I, "net.", N_("Roaming on %s"), ROAMING_DETAIL,
				ROAMING_REMEDY},
    [R_NET_ROAMING] = {"net.roaming", I, "net.", N_("Roaming on a foreign network"), ROAMING_DETAIL,
		       ROAMING_REMEDY},
    /* ---- SMS service and centre ---- */
    [R_SMS_SERVICE_UNKNOWN] = {"sms.unknown", W, "sms.service",
			       N_("Whether the modem offers SMS could not be read"), UNKNOWN_DETAIL,
			       UNKNOWN_REMEDY},
    [R_SMS_SERVICE_NONE] = {"sms.service_unavailable", E, "sms.service",
			    N_("The modem offers no SMS service"), SMS_SERVICE_DETAIL,
			    SMS_SERVICE_REMEDY},
    [R_SMS_SERVICE_NO_MO] = {"sms.service_unavailable", E, "sms.service",
			     N_("The modem cannot send SMS (+CSMS: no MO service)"),
			     SMS_SERVICE_DETAIL, SMS_SERVICE_REMEDY},
    [R_SMS_SERVICE_NO_MT] = {"sms.service_unavailable", E, "sms.service",
			     N_("The modem cannot receive SMS (+CSMS: no MT service)"),
			     SMS_SERVICE_DETAIL, SMS_SERVICE_REMEDY},
    [R_SMS_SERVICE_OK] = {"sms.service_ok", K, "sms.service",
			  N_("The modem offers SMS sending and receiving"), NULL, NULL},
    [R_SMSC_UNREADABLE] = {"sms.unknown", W, "sms.smsc",
			   N_("The SMS centre number could not be read"), UNKNOWN_DETAIL,
			   UNKNOWN_REMEDY},
    [R_SMSC_MISSING_ERROR] = {"sms.smsc_missing", E, "sms.smsc", N_("No SMS centre number is set"),
			      NULL, SMSC_SET_REMEDY},
    [R_SMSC_UNKNOWN] = {"sms.smsc_unknown", I, "sms.smsc",
			N_("The SMS centre number could not be read"), NULL, NULL},
    [R_SMSC_MISSING] = {"sms.smsc_missing", E, "sms.smsc", N_("No SMS centre number is set"),
			N_("Without an SMS centre (SMSC) number the modem does not know where to "
			   "hand "
			   "messages over: every send fails (often with +CMS ERROR: 330 or 500)."),
			SMSC_SET_REMEDY},
    [R_SMSC_INVALID] = {"sms.smsc_invalid", E, "sms.smsc",
			N_("The SMS centre number '%s' is not valid"),
			N_("The stored SMS centre number is not a phone number; messages cannot "
			   "be "
			   "handed over."),
			SMSC_SET_REMEDY},
    [R_SMSC_OK] = {"sms.smsc_ok", K, "sms.smsc", N_("SMS centre number %s"), NULL, NULL},
    /* ---- storage ---- */
    [R_STORAGE_UNKNOWN] = {"sms.unknown", W, "sms.storage",
			   N_("The message storage could not be read"), UNKNOWN_DETAIL,
			   UNKNOWN_REMEDY},
    [R_STORAGE_FULL_RECEIVING] = {"sms.storage_full", E, "sms.storage",
				  N_("Message storage full: %s, %d of %d"),
				  N_("New messages are stored here: while it is full, incoming "
				     "SMS "
				     "are refused and lost (the network gives up after a "
				     "while)."),
				  STORAGE_FULL_REMEDY},
    [R_STORAGE_FULL] = {"sms.storage_full", E, "sms.storage",
			N_("Message storage full: %s, %d of %d"),
			N_("This memory is full; new messages go elsewhere for now, but "
			   "a change of the storage setting would lose them."),
			STORAGE_FULL_REMEDY},
    [R_STORAGE_NEARLY_FULL] = {"sms.storage_nearly_full", W, "sms.storage",
			       N_("Message storage nearly full: %s, %d of %d"),
			       N_("When it is full, incoming SMS are refused and lost."),
			       N_("Fetch and delete messages that are no longer needed (smsctl "
				  "recv, "
				  "smsctl delete).")},
    [R_STORAGE_MISMATCH] = {"sms.storage_mismatch", W, "sms.storage",
			    N_("New messages go to %s, but programs read %s"),
			    N_("+CPMS: the third memory (where new messages are stored) differs "
			       "from the "
			       "first (the one listed and read): a program that lists messages "
			       "does not "
			       "see the new ones, and they pile up until the memory is full."),
			    N_("Make the memories the same by sending "
			       "AT+CPMS=\"%s\",\"%s\",\"%s\" to the modem.")},
    [R_STORAGE_OK] = {"sms.storage_ok", K, "sms.storage", N_("Message storage has room (%s)"), NULL,
		      NULL},
    /* ---- receive configuration ---- */
    [R_INDICATIONS_UNKNOWN] = {"sms.unknown", W, "sms.indications",
			       N_("The new-message announcement setting could not be read"),
			       UNKNOWN_DETAIL, UNKNOWN_REMEDY},
    [R_INDICATIONS_MT_OFF] = {"sms.indications_off", I, "sms.indications",
			      N_("New messages are not announced (+CNMI mt=0)"), INDICATIONS_DETAIL,
			      INDICATIONS_REMEDY},
    [R_INDICATIONS_HELD] = {"sms.indications_off", I, "sms.indications",
			    N_("New-message announcements are held back in the modem (+CNMI "
			       "mode=0)"),
			    INDICATIONS_DETAIL, INDICATIONS_REMEDY},
    [R_INDICATIONS_OK] = {"sms.indications_ok", K, "sms.indications",
			  N_("New messages are announced to the computer"), NULL, NULL},
};

const char *diag_tr(const char *msgid)
{
	return msgid && msgid[0] ? _(msgid) : "";
}

const char *diag_rfmt(char *buf, size_t size, const char *msgid, ...)
{
	va_list ap;

	va_start(ap, msgid);
	vsnprintf(buf, size, diag_tr(msgid), ap);
	va_end(ap);
	return buf;
}

struct smsctl_finding *diag_rule_add(struct smsctl_diagnosis *d, enum diag_rule_id r,
				     const char *summary, const char *detail, const char *remedy)
{
	const struct diag_rule *row = &diag_rules[r];
	struct smsctl_finding *f = diag_add(
	    d, row->id, row->sev, summary ? summary : diag_tr(row->summary),
	    detail ? detail : diag_tr(row->detail), remedy ? remedy : diag_tr(row->remedy));

	if (f)
		f->layer = diag_layer_of(row->layer);
	return f;
}
