// "Lấy vị trí hiện tại": fills the optional coordinates from the browser's location.
document.querySelectorAll("[data-geolocate]").forEach(function (button) {
  button.addEventListener("click", function () {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
    });
  });
});
