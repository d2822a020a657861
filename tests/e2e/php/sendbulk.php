<?php
// The sendbulk gateway called as its PHP clients call it: the seed's sample (curl,
// json_encode, Content-Type: application/json) and the other ways PHP code posts with
// curl. Prints what PHP itself read from each answer: the decoded body and each
// field's PHP type, for the Python test to check.
//
// php sendbulk.php BASE_URL MODE   (MODE: json | multipart | urlencoded | getsms | badkey)

[$script, $base, $mode] = $argv;

$item = fn (int $id, string $mobile, string $message) => [
    "partnerID" => "1234",
    "apikey" => "test-key",
    "pass_type" => "plain",
    "clientsmsid" => $id,
    "mobile" => $mobile,
    "message" => $message,
    "shortcode" => "SHOP",
];

$curl = curl_init();
$headers = [];
curl_setopt($curl, CURLOPT_RETURNTRANSFER, true);
curl_setopt($curl, CURLOPT_HEADERFUNCTION, function ($curl, $line) use (&$headers) {
    $parts = explode(":", $line, 2);
    if (count($parts) == 2) {
        $headers[strtolower(trim($parts[0]))] = trim($parts[1]);
    }
    return strlen($line);
});

// The seed's sample: json_encode, then POST with Content-Type: application/json.
$postJson = function (array $payload) use ($curl, $base) {
    curl_setopt_array($curl, [
        CURLOPT_URL => "$base/api/services/sendbulk",
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => json_encode($payload),
        CURLOPT_HTTPHEADER => ['Content-Type: application/json'],
    ]);
};
$postFields = function ($fields) use ($curl, $base) {
    curl_setopt_array($curl, [
        CURLOPT_URL => "$base/api/services/sendsms",
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $fields,
    ]);
};

switch ($mode) {
    case "json":  // the seed's sample, word for word but for the URL and values
        $long = str_repeat("Your order ships today.\nReply STOP to end. ", 30);
        $postJson([
            "count" => 2,
            "smslist" => [$item(1, "0712345678", "Habari 😀\nline two"), $item(2, "254733123456", $long)],
        ]);
        break;
    case "multipart":  // an array to CURLOPT_POSTFIELDS: curl sends multipart/form-data
        $postFields($item(7, "0712345678", "From a form & more"));
        break;
    case "urlencoded":  // http_build_query: application/x-www-form-urlencoded
        $postFields(http_build_query($item(8, "+254712345678", "Urlencoded + plus")));
        break;
    case "getsms":  // the GET form, parameters in the query string
        $query = http_build_query($item(9, "254712345678", "Hello & welcome"));
        curl_setopt($curl, CURLOPT_URL, "$base/api/services/sendsms?$query");
        break;
    case "badkey":
        $postJson(["count" => 1, "smslist" => [array_merge($item(1, "0712345678", "x"), ["apikey" => ""])]]);
        break;
    default:
        fwrite(STDERR, "unknown mode $mode\n");
        exit(2);
}

$response = curl_exec($curl);
if ($response === false) {
    fwrite(STDERR, "curl: " . curl_error($curl) . "\n");
    exit(1);
}
$status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
curl_close($curl);

$decoded = json_decode($response, true);
$types = function ($value) use (&$types) {
    if (is_array($value)) {
        return array_map($types, $value);
    }
    return gettype($value);
};
echo json_encode([
    "status" => $status,
    "content_type" => $headers["content-type"] ?? null,
    "json_error" => json_last_error_msg(),
    "body" => $decoded,
    "types" => $types($decoded),
]), "\n";
