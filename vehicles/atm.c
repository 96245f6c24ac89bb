/* atm: the Auto-ISAC Automotive Threat Matrix (ATM) technique table: ids, names and tactics as published in the
 * matrix's STIX 2.1 bundle (atm.automotiveisac.com; public copies of the bundle list 14 tactics and these
 * techniques; ATM-T0056 and ATM-T0057 do not appear in it). `kyodo check` refuses an ATM-T#### id that is not here;
 * the report and the STIX export name techniques from it. Knows nothing of Lua, sockets or pixels. */
#include "vehicles/atm.h"

#include <string.h>

static const veh_atm_technique aTech[] = {
	{ "ATM-T0001", "Downgrade to Insecure Protocols", "manipulate-environment" },
	{ "ATM-T0002", "Jamming or Denial of Service", "manipulate-environment" },
	{ "ATM-T0003", "Manipulate Communications", "manipulate-environment" },
	{ "ATM-T0004", "Analog Sensor Attacks", "manipulate-environment,affect-vehicle-function" },
	{ "ATM-T0005", "Adversarial Machine Learning", "manipulate-environment,affect-vehicle-function" },
	{ "ATM-T0006", "Removable Media", "exfiltration" },
	{ "ATM-T0007", "Relay Communications", "manipulate-environment" },
	{ "ATM-T0008", "Rogue Cellular Base Station", "manipulate-environment" },
	{ "ATM-T0009", "Rogue Wi-Fi Access Point", "manipulate-environment" },
	{ "ATM-T0010", "Aftermarket, Customer, or Dealer Equipment", "initial-access,command-and-control,exfiltration" },
	{ "ATM-T0011", "Browser Compromise", "initial-access" },
	{ "ATM-T0012", "Exploit via Radio Interface", "initial-access" },
	{ "ATM-T0013", "Exploit via Removable Media", "initial-access" },
	{ "ATM-T0014", "Malicious App", "initial-access" },
	{ "ATM-T0015", "Phishing", "initial-access" },
	{ "ATM-T0016", "Physical Modification", "initial-access" },
	{ "ATM-T0017", "Supply Chain Compromise", "initial-access" },
	{ "ATM-T0018", "Command and Scripting Interpreter", "execution" },
	{ "ATM-T0019", "Native API", "execution" },
	{ "ATM-T0020", "Abuse Standard Diagnostic Protocol for Persistence", "persistence" },
	{ "ATM-T0021", "Disable Software Update", "persistence" },
	{ "ATM-T0022", "Modify OS Kernel, Boot Partition, or System Partition", "persistence" },
	{ "ATM-T0023", "Modify Isolated Execution Environment", "persistence" },
	{ "ATM-T0024", "Abuse Elevation Control Mechanism", "privilege-escalation" },
	{ "ATM-T0025", "Exploit Co-Located Computing Device for Privilege Escalation", "privilege-escalation" },
	{ "ATM-T0026", "Exploit OS Vulnerability", "privilege-escalation" },
	{ "ATM-T0027", "Exploit Isolated Execution Environment Vulnerability", "privilege-escalation,credential-access" },
	{ "ATM-T0028", "Hardware Fault Injection", "privilege-escalation" },
	{ "ATM-T0029", "Process Injection", "privilege-escalation" },
	{ "ATM-T0030", "Reprogram Co-Located Computing Device for Privilege Escalation", "privilege-escalation" },
	{ "ATM-T0031", "Bypass Code Integrity Protections", "defense-evasion" },
	{ "ATM-T0032", "Bypass Network Filtering", "defense-evasion" },
	{ "ATM-T0033", "Bypass UDS Security Access", "defense-evasion" },
	{ "ATM-T0034", "Bypass Mandatory Access Control", "defense-evasion" },
	{ "ATM-T0035", "Capture SMS Message", "credential-access,collection" },
	{ "ATM-T0036", "Input Capture", "credential-access,collection" },
	{ "ATM-T0037", "Input Prompt", "credential-access" },
	{ "ATM-T0038", "Network Sniffing", "credential-access,collection" },
	{ "ATM-T0039", "ECU Credential Dumping", "credential-access" },
	{ "ATM-T0040", "Unsecured Credentials", "credential-access" },
	{ "ATM-T0041", "URI Hijacking", "credential-access" },
	{ "ATM-T0042", "File and Directory Discovery", "discovery" },
	{ "ATM-T0043", "Location Tracking", "discovery,collection" },
	{ "ATM-T0044", "Network Service Scanning", "discovery" },
	{ "ATM-T0045", "Process Discovery", "discovery" },
	{ "ATM-T0046", "Software Discovery", "discovery" },
	{ "ATM-T0047", "System Information Discovery", "discovery" },
	{ "ATM-T0048", "System Network Configuration Discovery", "discovery" },
	{ "ATM-T0049", "System Network Connections Discovery", "discovery" },
	{ "ATM-T0050", "Abuse Standard Diagnostic Protocol for Lateral Movement", "lateral-movement" },
	{ "ATM-T0051", "Bridge Vehicle Networks", "lateral-movement" },
	{ "ATM-T0052", "Exploit ECU for Lateral Movement", "lateral-movement" },
	{ "ATM-T0053", "Remote Services", "lateral-movement" },
	{ "ATM-T0054", "Reprogram ECU for Lateral Movement", "lateral-movement" },
	{ "ATM-T0055", "Abuse Standard Diagnostic Protocol for Collection", "collection" },
	{ "ATM-T0058", "Capture Camera or Audio", "collection" },
	{ "ATM-T0059", "Data from Local System", "collection" },
	{ "ATM-T0060", "Network Information Discovery", "collection" },
	{ "ATM-T0061", "Screen Capture", "collection" },
	{ "ATM-T0062", "Cellular Communication", "command-and-control,exfiltration" },
	{ "ATM-T0063", "Internet Communication", "command-and-control,exfiltration" },
	{ "ATM-T0064", "Receive Only Communication", "command-and-control" },
	{ "ATM-T0065", "Short Range Wireless Communication", "command-and-control,exfiltration" },
	{ "ATM-T0066", "Standard Cryptographic Protocol", "command-and-control,exfiltration" },
	{ "ATM-T0067", "Abuse Standard Diagnostic Protocol for Affecting Vehicle Function", "affect-vehicle-function" },
	{ "ATM-T0068", "CAN Bus Denial of Service", "affect-vehicle-function" },
	{ "ATM-T0069", "Local Function", "affect-vehicle-function" },
	{ "ATM-T0070", "Modify Bus Message", "affect-vehicle-function" },
	{ "ATM-T0071", "Unintended Vehicle Network Message", "affect-vehicle-function" },
	{ "ATM-T0072", "Denial of Service on Vehicle Function", "affect-vehicle-function" },
	{ "ATM-T0073", "Physical Access", "exfiltration" },
	{ "ATM-T0074", "Abuse Standard Diagnostic Protocol to Temporarily Modify Execution", "execution" },
	{ "ATM-T0075", "Compromise Cryptographic Security", "persistence,privilege-escalation,defense-evasion,lateral-movement" },
	{ "ATM-T0076", "Gather Target Information – from Other", "reconnaissance" },
	{ "ATM-T0077", "Gather Target Information – from Vehicle", "reconnaissance" },
};

const veh_atm_technique *veh_atm_find(const char *zId) {
	for (size_t i = 0; zId && i < sizeof aTech / sizeof aTech[0]; i++)
		if (!strcmp(aTech[i].zId, zId)) return &aTech[i];
	return NULL;
}

int veh_atm_count(void) { return (int)(sizeof aTech / sizeof aTech[0]); }

const veh_atm_technique *veh_atm_at(int i) { return i >= 0 && i < veh_atm_count() ? &aTech[i] : NULL; }
